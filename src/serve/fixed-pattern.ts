import { tryGetDataType, type InternalSchemaElement } from '@medplum/core';
import type { StructureDefinition } from '@medplum/fhirtypes';

/** ElementDefinition's two choice elements medplum's StructureDefinition parser reads of every element. */
const CHOICES = ['fixed[x]', 'pattern[x]'] as const;
/** An element's `fixedCode`, `patternCodeableConcept`, `_fixedString` (its primitive extension)… */
const FIXED_OR_PATTERN = /^_?((?:fixed|pattern)[A-Z]\w*)$/;

/**
 * Runs `work` — medplum parsing `definitions` (indexStructureDefinitionBundle) — with the type lists of
 * ElementDefinition's `fixed[x]` and `pattern[x]` in medplum's schema cut, meanwhile, to their first type and those
 * whose element name (`fixedUri`, `patternCoding`) some element of `definitions` has; put back after, also when `work`
 * throws. medplum reads both choices of every snapshot element by trying each of their 50 types' names in turn: 60% of
 * indexing R4's resource definitions (~200 ms of the server thread's start and of each read worker's; issue 17), none
 * of which has a fixed or pattern value. The answer is the same: medplum takes the first type, in the list's order,
 * whose name the element has (every such type is kept, in order) and falls back to the list's first type (kept).
 * Without ElementDefinition in the schema (R4's data types not indexed yet) `work` runs as it is.
 */
export function withNarrowedFixedAndPattern<T>(definitions: readonly StructureDefinition[], work: () => T): T {
  const schema = tryGetDataType('ElementDefinition');
  const saved: [InternalSchemaElement, InternalSchemaElement['type']][] = [];
  if (schema) {
    const names = new Set<string>();
    for (const sd of definitions) {
      for (const element of sd.snapshot?.element ?? []) {
        for (const key of Object.keys(element)) {
          const name = FIXED_OR_PATTERN.exec(key)?.[1];
          if (name) names.add(name);
        }
      }
    }
    for (const choice of CHOICES) {
      const element = schema.elements[choice];
      if (!element?.type?.length) continue;
      const stem = choice.slice(0, -'[x]'.length);
      saved.push([element, element.type]);
      element.type = element.type.filter((type, i) => i === 0 || names.has(stem + type.code.charAt(0).toUpperCase() + type.code.slice(1)));
    }
  }
  try {
    return work();
  } finally {
    for (const [element, type] of saved) element.type = type;
  }
}

import { IG_NAMES, US_CORE_VERSIONS } from './igs.js';
import { DRUG_TIERS } from './pharmacy-tiers.js';
import { targetRowSchema } from './targets.js';

/** A share: a fraction from 0 to 1 (the loader words its errors for it: "20% is 0.2"). */
export const share = { type: 'number', minimum: 0, maximum: 1 };
const money = { type: 'number', minimum: 0 };
// A pattern's `description` is what the error says it expects (load.ts), in words rather than the regex.
const date = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'a date YYYY-MM-DD' };
// Names and ids that end up in FHIR strings, which must hold more than whitespace.
const text = { type: 'string', minLength: 1, pattern: '\\S', description: 'some text, not only spaces' };
const stateCode = { type: 'string', pattern: '^[A-Z]{2}$', description: 'a two-letter state code in capitals (e.g. TX)' };
const shareList = (code: object) => ({
  type: 'array',
  minItems: 1,
  items: { type: 'object', additionalProperties: false, required: ['code', 'share'], properties: { code, share } },
});
const claimTypes = ['professional', 'outpatient', 'inpatient', 'pharmacy', 'oral'];
/** Per formulary drug tier: a copay in dollars or a coinsurance share (one of the two: src/profile/semantics.ts). */
const pharmacyTiersSchema = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(
    DRUG_TIERS.map((tier) => [tier, {
      type: 'object',
      additionalProperties: false,
      properties: { copay: money, coinsurance: share },
    }]),
  ),
};
const ageBands = {
  type: 'array',
  minItems: 1,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['min', 'max', 'share'],
    properties: { min: { type: 'integer', minimum: 0, maximum: 110 }, max: { type: 'integer', minimum: 0, maximum: 110 }, share },
  },
};
// At most one claim of a type per member-day: beyond that a member's year would not fit in memory.
const utilizationProperties = {
  ...Object.fromEntries(claimTypes.map((t) => [t, { type: 'number', minimum: 0, maximum: 365 }])),
  emergency: { type: 'number', minimum: 0, maximum: 365 },
  nonUsers: share,
};
const conditions = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['key', 'prevalence'],
    properties: {
      key: { type: 'string' },
      prevalence: share,
      byAgeBand: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['min', 'max', 'prevalence'],
          properties: { min: { type: 'integer', minimum: 0 }, max: { type: 'integer', minimum: 0 }, prevalence: share },
        },
      },
      bySex: { type: 'object', additionalProperties: false, properties: { female: share, male: share } },
    },
  },
};
const perClaimType = (value: object) => ({
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(claimTypes.map((t) => [t, value])),
});

/** JSON Schema (draft-07, checked with ajv) of a population profile as users write it in YAML. */
export const profileSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'seed', 'members', 'period', 'payer', 'plans', 'demographics', 'conditions', 'utilization'],
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*$', description: "lower-case letters, digits and '-', starting with a letter or digit (e.g. my-plan)" },
    description: { type: 'string' },
    seed: { type: 'integer' },
    members: { type: 'integer', minimum: 1 },
    period: {
      type: 'object',
      additionalProperties: false,
      required: ['start', 'end'],
      properties: { start: date, end: date },
    },
    payer: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'memberIdPrefix'],
      properties: {
        name: text,
        memberIdPrefix: { type: 'string', pattern: '^[A-Z]{2,4}$', description: '2 to 4 capital letters (e.g. FSD)' },
        state: stateCode,
        identifiers: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['type', 'value'],
            properties: { type: { enum: ['payerid', 'naiccode', 'tax'] }, value: text },
          },
        },
      },
    },
    plans: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name', 'type', 'share', 'group', 'costSharing'],
        properties: {
          id: { type: 'string', pattern: '^[A-Za-z0-9-]+$', description: "letters, digits and '-' (e.g. ppo-gold)" },
          name: text,
          type: { enum: ['commercial', 'medicare-advantage', 'medicaid', 'dental'] },
          share,
          group: {
            type: 'object',
            additionalProperties: false,
            required: ['id', 'name'],
            properties: { id: text, name: text },
          },
          // The plan's own utilization (fields override the profile's), age mix (replaces demographics.ageBands)
          // and condition rows (each replaces the profile's row of its key).
          utilization: { type: 'object', additionalProperties: false, properties: utilizationProperties },
          ageBands,
          conditions,
          costSharing: {
            type: 'object',
            additionalProperties: false,
            required: ['deductible', 'coinsurance', 'outOfPocketMax'],
            properties: {
              deductible: money,
              copay: perClaimType(money),
              coinsurance: share,
              outOfPocketMax: money,
              outOfNetworkCoinsurance: share,
              pharmacyTiers: pharmacyTiersSchema,
            },
          },
        },
      },
    },
    demographics: {
      type: 'object',
      additionalProperties: false,
      required: ['ageBands', 'sex', 'states'],
      properties: {
        ageBands,
        sex: shareList({ enum: ['female', 'male'] }),
        states: shareList(stateCode),
        race: shareList({ type: 'string' }),
        ethnicity: shareList({ type: 'string' }),
        dependentShare: share,
      },
    },
    conditions,
    utilization: {
      type: 'object',
      additionalProperties: false,
      required: claimTypes,
      properties: utilizationProperties,
    },
    claims: {
      type: 'object',
      additionalProperties: false,
      properties: { denialRate: share, outOfNetworkRate: share },
    },
    providers: {
      type: 'object',
      additionalProperties: false,
      properties: {
        organizations: { type: 'integer', minimum: 1 },
        practitioners: { type: 'integer', minimum: 1 },
        pharmacies: { type: 'integer', minimum: 1 },
      },
    },
    coveragePlan: { type: 'boolean' },
    usCore: { enum: [...US_CORE_VERSIONS] },
    igs: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: IG_NAMES } },
    targets: { type: 'array', items: targetRowSchema },
  },
} as const;

import { existsSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Bundle, Endpoint, Organization } from '@medplum/fhirtypes';
import { BRANDS_FILE, BRAND_EXTENSION, PORTAL_EXTENSION, URL_IDENTIFIER_SYSTEM } from '../fhir/smart/user-access-brands.js';
import { UserError } from '../util/errors.js';

/** Where the sandbox publishes the brands bundle and the brand logo. */
export const BRANDS_PATH = '/brands.json';
export const LOGO_PATH = '/brands/logo.svg';

/**
 * The payer's SMART User-access Brands Bundle as `serve` publishes it: DIR/brands.json (written by
 * `generate`), or undefined when DIR has none. A brands.json that is not a collection Bundle is a
 * UserError naming the file (exit 2).
 */
export function loadBrands(dir: string | undefined): Bundle | undefined {
  const file = dir ? join(dir, BRANDS_FILE) : undefined;
  if (!file || !existsSync(file)) return undefined;
  let bundle: Bundle;
  try {
    bundle = JSON.parse(readFileSync(file, 'utf8')) as Bundle;
  } catch (error) {
    throw new UserError(`${file}: cannot read the brands bundle (${(error as Error).message})`);
  }
  if (bundle?.resourceType !== 'Bundle' || bundle.type !== 'collection') throw new UserError(`${file}: not a Bundle of type collection (the SMART User-access Brands Bundle)`);
  return bundle;
}

/**
 * The bundle with this server filled in, so that an app that finds it reaches this sandbox: every
 * Endpoint's `address` (and the entries' fullUrl) is the FHIR base served (`origin` + /fhir), the
 * brand logo is the sandbox's own (LOGO_PATH) and the portal URL its index page. Names, identifiers,
 * aliases (plan names) and the developer contact stay as generated.
 */
export function servedBrands(bundle: Bundle, origin: string, fhirBase: string): Bundle {
  const entry = (bundle.entry ?? []).map((e) => {
    const resource = structuredClone(e.resource);
    if (resource?.resourceType === 'Endpoint') (resource as Endpoint).address = fhirBase;
    if (resource?.resourceType === 'Organization') {
      for (const ext of (resource as Organization).extension ?? []) {
        for (const part of ext.extension ?? []) {
          if (ext.url === BRAND_EXTENSION && part.url === 'brandLogo') part.valueUrl = `${origin}${LOGO_PATH}`;
          if (ext.url === PORTAL_EXTENSION && part.url === 'portalUrl') part.valueUrl = `${origin}/`;
        }
      }
    }
    return { ...e, ...(resource ? { resource, fullUrl: `${fhirBase}/${resource.resourceType}/${resource.id}` } : {}) };
  });
  return { ...bundle, entry };
}

/**
 * The SMART configuration fields for the brands (SMART App Launch 2.2 "Brands"): `user_access_brand_bundle`
 * (this server's URL of the bundle) and `user_access_brand_identifier` (the primary brand's
 * `urn:ietf:rfc:3986` identifier). Empty without a bundle.
 */
export function brandsDiscovery(bundle: Bundle | undefined, origin: string): Record<string, unknown> {
  if (!bundle) return {};
  const brand = bundle.entry?.find((e) => e.resource?.resourceType === 'Organization')?.resource as Organization | undefined;
  const identifier = brand?.identifier?.find((i) => i.system === URL_IDENTIFIER_SYSTEM);
  return {
    user_access_brand_bundle: `${origin}${BRANDS_PATH}`,
    ...(identifier ? { user_access_brand_identifier: { system: identifier.system, value: identifier.value } } : {}),
  };
}

/**
 * Answers GET/HEAD of BRANDS_PATH (the bundle, `application/fhir+json`, public: no token needed, as the
 * spec asks of a brands bundle) and LOGO_PATH (an SVG of the brand's initials). False for other paths.
 */
export function serveBrands(bundle: Bundle | undefined, method: string, path: string, origin: string, fhirBase: string, res: ServerResponse): boolean {
  if (!bundle || (method !== 'GET' && method !== 'HEAD') || (path !== BRANDS_PATH && path !== LOGO_PATH)) return false;
  const body = path === BRANDS_PATH ? JSON.stringify(servedBrands(bundle, origin, fhirBase)) : logo(bundle);
  const type = path === BRANDS_PATH ? 'application/fhir+json; charset=utf-8' : 'image/svg+xml';
  res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-cache' });
  res.end(method === 'HEAD' ? undefined : body);
  return true;
}

/** A plain logo: the brand name's initials on a coloured square. */
function logo(bundle: Bundle): string {
  const name = (bundle.entry?.find((e) => e.resource?.resourceType === 'Organization')?.resource as Organization | undefined)?.name ?? 'Health Plan';
  const initials = name.split(/\s+/).filter((w) => /^[A-Za-z]/.test(w)).slice(0, 3).map((w) => w[0]!.toUpperCase()).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="120" viewBox="0 0 120 120" role="img" aria-label="${escapeXml(name)}"><rect width="120" height="120" rx="16" fill="#1d4e89"/><text x="60" y="72" font-family="system-ui,sans-serif" font-size="40" font-weight="700" fill="#fff" text-anchor="middle">${escapeXml(initials)}</text></svg>\n`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}

/**
 * The fewest provider organizations the directory is built with (src/story/directory.ts raises
 * `providers.organizations` to it; src/profile/notes.ts notes the raise): a hospital, a clinic and an ambulance
 * service, and a dental practice when a plan is dental; pharmacies are counted apart.
 */
export function fewestOrganizations(hasDental: boolean): number {
  return hasDental ? 4 : 3;
}

/**
 * The fewest practitioners the directory is built with (raised and noted as fewestOrganizations): a primary-care
 * physician, a specialist and a pharmacist, and a dentist when a plan is dental (else a second primary-care physician).
 */
export const FEWEST_PRACTITIONERS = 4;

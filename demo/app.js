// fhirseed's member demo (/demo): a SMART on FHIR web app on SMART's own client, fhirclient. Standalone
// launch with PKCE: "Sign in" sends the member to the sandbox's sign-in page; back here with a code,
// fhirclient exchanges it for a token and the page shows the member's coverage and claims (EOBs).
// ?iss=FHIR_BASE chooses the server (default: /fhir of this page's origin); ?client_id= the app's id.
import FHIR from 'fhirclient';
import { priorAuthorizationRow, splitExplanations } from '../src/serve/demo-eobs.ts';

const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);

/** Sums of an EOB's totals by CARIN adjudication category (submitted, eligible, benefit, memberliability). */
function total(eob, code) {
  const entry = (eob.total ?? []).find((t) => (t.category?.coding ?? []).some((c) => c.code === code));
  return entry?.amount?.value;
}

function money(value) {
  return value === undefined ? '' : value.toLocaleString('en-US', { style: 'currency', currency: 'USD' });
}

function nameOf(resource) {
  if (!resource) return undefined;
  if (resource.resourceType === 'Organization') return resource.name;
  const name = resource.name?.[0];
  return name && (name.text ?? [name.prefix?.join(' '), name.given?.join(' '), name.family].filter(Boolean).join(' '));
}

function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text ?? '';
  if (className) td.className = className;
  row.append(td);
}

async function show(client) {
  const patientId = client.patient.id;
  window.demoClient = client;
  $('signin').hidden = true;
  const patient = await client.patient.read();
  $('member').textContent = `${nameOf(patient) ?? 'Member'} (Patient/${patientId})`;
  const coverages = await client.request(`Coverage?beneficiary=Patient/${patientId}`, { pageLimit: 0, flat: true });
  $('coverage').textContent = coverages.length
    ? coverages.map((c) => `${c.type?.text ?? c.type?.coding?.[0]?.display ?? 'Coverage'} — ${c.status}${c.period?.start ? `, since ${c.period.start}` : ''}${c.subscriberId ? `, member id ${c.subscriberId}` : ''}`).join('; ')
    : 'No coverage on file.';
  const found = await client.request(`ExplanationOfBenefit?patient=Patient/${patientId}&_include=ExplanationOfBenefit:provider&_count=100`, { pageLimit: 0, flat: true });
  const byRef = new Map(found.filter((r) => r.resourceType !== 'ExplanationOfBenefit').map((r) => [`${r.resourceType}/${r.id}`, r]));
  // Claims only: a prior authorization (use preauthorization, PDex) is a decision, not a bill.
  const { claims: eobs, priorAuthorizations } = splitExplanations(found.filter((r) => r.resourceType === 'ExplanationOfBenefit'));
  eobs.sort((a, b) => String(b.billablePeriod?.start ?? '').localeCompare(String(a.billablePeriod?.start ?? '')) || a.id.localeCompare(b.id));
  const body = $('claims').querySelector('tbody');
  body.replaceChildren();
  for (const eob of eobs) {
    const row = document.createElement('tr');
    row.dataset.id = eob.id;
    cell(row, eob.billablePeriod?.start?.slice(0, 10));
    cell(row, eob.type?.coding?.[0]?.display ?? eob.type?.coding?.[0]?.code);
    cell(row, nameOf(byRef.get(eob.provider?.reference)) ?? eob.provider?.display ?? eob.provider?.reference);
    cell(row, money(total(eob, 'submitted')), 'num');
    cell(row, money(total(eob, 'eligible')), 'num');
    cell(row, money(total(eob, 'benefit')), 'num');
    cell(row, money(total(eob, 'memberliability')), 'num');
    body.append(row);
  }
  $('count').textContent = `${eobs.length} claim${eobs.length === 1 ? '' : 's'}`;
  const rows = priorAuthorizations.map(priorAuthorizationRow).sort((a, b) => b.requested.localeCompare(a.requested) || a.id.localeCompare(b.id));
  const authBody = $('prior-authorizations').querySelector('tbody');
  authBody.replaceChildren();
  for (const auth of rows) {
    const row = document.createElement('tr');
    row.dataset.id = auth.id;
    cell(row, auth.requested);
    cell(row, auth.service);
    cell(row, nameOf(byRef.get(auth.provider)) ?? auth.provider);
    cell(row, auth.decision);
    cell(row, auth.authorized);
    cell(row, auth.number);
    authBody.append(row);
  }
  $('auth-count').textContent = `${rows.length} request${rows.length === 1 ? '' : 's'}`;
  $('auth-section').hidden = rows.length === 0;
  $('result').hidden = false;
  document.body.dataset.state = 'ready';
}

async function main() {
  $('signin-button').addEventListener('click', () => {
    const iss = params.get('iss') ?? new URL('/fhir', location.href).href;
    void FHIR.oauth2.authorize({
      iss,
      clientId: params.get('client_id') ?? 'fhirseed-demo',
      scope: 'launch/patient openid fhirUser patient/*.read',
      redirectUri: `${location.origin}${location.pathname}`,
      pkceMode: 'required',
    });
  });
  if (params.has('code') || params.has('error')) await show(await FHIR.oauth2.ready());
  else document.body.dataset.state = 'signed-out';
}

main().catch((error) => {
  $('error').textContent = String(error?.message ?? error);
  $('error').hidden = false;
  document.body.dataset.state = 'error';
});

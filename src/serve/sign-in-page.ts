/** The hidden fields the sign-in form carries from GET to POST. */
const AUTHORIZE_PARAMS = ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'aud', 'code_challenge', 'code_challenge_method', 'nonce'];

export interface PageReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The authorize endpoint's sign-in form: self-contained HTML, the OAuth parameters as hidden fields. */
export function signInPage(status: number, params: URLSearchParams, message?: string, withForm = true): PageReply {
  const hidden = AUTHORIZE_PARAMS.map((name) => {
    const value = params.get(name);
    return value === null ? '' : `<input type="hidden" name="${name}" value="${escape(value)}">`;
  }).join('\n      ');
  const form = withForm
    ? `<form method="post" action="/auth/authorize">
      ${hidden}
      <label>Username <input name="username" autocomplete="username" required value="${escape(params.get('username') ?? '')}"></label>
      <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
      <button type="submit">Sign in</button>
    </form>`
    : '';
  const body = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>fhirseed sandbox sign-in</title>
  <style>
    body { font-family: system-ui, sans-serif; max-width: 24rem; margin: 4rem auto; padding: 0 1rem; }
    label { display: block; margin: 0.8rem 0; } input { display: block; width: 100%; padding: 0.4rem; }
    .message { color: #a00; } .note { color: #555; font-size: 0.9rem; }
  </style>
</head>
<body>
  <h1>Sign in as a test member</h1>
  ${message ? `<p class="message" role="alert">${escape(message)}</p>` : ''}
  ${form}
  <p class="note">fhirseed test sandbox: synthetic members only. Usernames and passwords are in test-accounts.json.</p>
</body>
</html>
`;
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }, body };
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

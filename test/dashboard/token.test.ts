import test from 'ava';
import { newToken, tokenMatches } from '../../lab/dashboard/index.js';

test('tokens are fresh, URL-safe, 256 bits; only the exact token matches', (t) => {
  const token = newToken();
  t.regex(token, /^[A-Za-z0-9_-]{43}$/);
  t.not(newToken(), token);
  t.true(tokenMatches(token, token));
  for (const wrong of [undefined, null, '', token.slice(1), `${token}x`, token.toUpperCase() === token ? token.toLowerCase() : token.toUpperCase()]) t.false(tokenMatches(token, wrong), String(wrong));
});

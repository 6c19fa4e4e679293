import { it } from 'vitest';

function spinForever(): void {
  for (let i = 0; ; i = (i + 1) % 1000);
}

it('never gives its thread back', () => {
  spinForever();
});

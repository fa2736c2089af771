import { expect, it } from 'vitest';

it('runs on Node 24 LTS (the `node` dev dependency), not the machine Node', () => {
  expect(process.versions.node.split('.')[0]).toBe('24');
});

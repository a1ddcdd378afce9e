import { describe, expect, it } from 'vitest';
import { formatPortList, parsePortList } from '../../../functions/domain/webhooks/loopback-ports.js';
import { loadConfig } from '../../../functions/platform/config.js';

describe('LOOPBACK_WEBHOOK_PORTS', () => {
  it('reads ports and inclusive ranges', () => {
    expect([...parsePortList('8900-8903, 9100,8902')].sort()).toEqual([8900, 8901, 8902, 8903, 9100]);
    expect(parsePortList('').size).toBe(0);
  });

  it.each(['22', '80-2000', '1023', '70000', '9000-8999', 'abc', '8900-', '-8900', '8900 8901', '0x2000'])(
    'refuses %j',
    (text) => {
      expect(() => parsePortList(text)).toThrow(/not a port/);
    },
  );

  it('writes the shortest list that reads back the same', () => {
    expect(formatPortList([8903, 8900, 8901, 8902, 9100, 9102])).toBe('8900-8903,9100,9102');
    expect(formatPortList([])).toBe('');
    const ports = new Set([1024, 1025, 3000, 8900, 8901]);
    expect(parsePortList(formatPortList(ports))).toEqual(ports);
  });

  it('is parsed by the config, empty unless set, and a bad value fails with the variable name', () => {
    const env = { STAGE: 'test', AWS_REGION: 'us-east-1' };
    expect(loadConfig(env).LOOPBACK_WEBHOOK_PORTS.size).toBe(0);
    expect([...loadConfig({ ...env, LOOPBACK_WEBHOOK_PORTS: '8900-8901' }).LOOPBACK_WEBHOOK_PORTS]).toEqual([
      8900, 8901,
    ]);
    expect(() => loadConfig({ ...env, LOOPBACK_WEBHOOK_PORTS: '22' })).toThrow(
      /LOOPBACK_WEBHOOK_PORTS: "22" is not a port/,
    );
  });
});

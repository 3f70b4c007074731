import { describe, expect, it } from 'vitest';
import { checkInvoke, isTrustedSender } from '../../../src-main/electron/ipc.js';
import { isAllowedExternalUrl, rendererFilePath } from '../../../src-main/electron/security.js';
import { join } from 'node:path';

const ourFrame = { frameUrl: 'app://sluice/index.html', isMainFrame: true };

describe('IPC sender validation', () => {
  it('accepts only the app:// main frame', () => {
    expect(isTrustedSender(ourFrame)).toBe(true);
    expect(isTrustedSender({ frameUrl: 'app://sluice/index.html', isMainFrame: false })).toBe(false);
    expect(isTrustedSender({ frameUrl: 'https://evil.example/', isMainFrame: true })).toBe(false);
    expect(isTrustedSender({ frameUrl: 'file:///etc/passwd', isMainFrame: true })).toBe(false);
    expect(isTrustedSender({ frameUrl: 'app://other/index.html', isMainFrame: true })).toBe(false);
    expect(isTrustedSender({ frameUrl: null, isMainFrame: true })).toBe(false);
    expect(isTrustedSender({ frameUrl: 'not a url', isMainFrame: true })).toBe(false);
  });

  it('accepts the dev server only when one is configured', () => {
    const dev = { frameUrl: 'http://localhost:5173/', isMainFrame: true };
    expect(isTrustedSender(dev)).toBe(false);
    expect(isTrustedSender(dev, 'http://localhost:5173')).toBe(true);
  });
});

describe('IPC payload validation', () => {
  it('forwards a valid call with validated arguments', () => {
    const checked = checkInvoke(ourFrame, { method: 'checkpointDetail', args: ['3f9a1c07b2d54e6f8a0b1c2d3e4f5a6b', 45] });
    expect(checked).toEqual({ method: 'checkpointDetail', args: ['3f9a1c07b2d54e6f8a0b1c2d3e4f5a6b', 45] });
  });

  it('rejects untrusted senders before looking at the payload', () => {
    const checked = checkInvoke({ frameUrl: 'https://evil.example/', isMainFrame: true }, { method: 'overview', args: [] });
    expect(checked).toEqual({ error: { code: 'invalid-argument', message: expect.stringContaining('untrusted frame https://evil.example/') } });
  });

  it('rejects unknown methods, malformed payloads and wrong argument types with clear errors', () => {
    expect(checkInvoke(ourFrame, { method: 'constructor', args: [] })).toEqual({ error: { code: 'not-found', message: "unknown method 'constructor'" } });
    expect(checkInvoke(ourFrame, 'overview')).toMatchObject({ error: { code: 'invalid-argument' } });
    expect(checkInvoke(ourFrame, null)).toMatchObject({ error: { code: 'invalid-argument' } });
    const wrongType = checkInvoke(ourFrame, { method: 'checkpointDetail', args: ['job', 'forty-five'] });
    expect(wrongType).toMatchObject({ error: { code: 'invalid-argument' } });
    const extraField = checkInvoke(ourFrame, { method: 'createAnnotation', args: [{ from: 1, type: 'note', text: 'x', evil: true }] });
    expect(extraField).toMatchObject({ error: { code: 'invalid-argument', message: expect.stringContaining('evil') } });
  });
});

describe('navigation and protocol rules', () => {
  it('opens only allow-listed documentation links externally', () => {
    expect(isAllowedExternalUrl('https://nightlies.apache.org/flink/flink-docs-stable/docs/ops/state/checkpoints/')).toBe(true);
    expect(isAllowedExternalUrl('http://flink.apache.org/')).toBe(false);
    expect(isAllowedExternalUrl('https://flink.apache.org.evil.example/')).toBe(false);
    expect(isAllowedExternalUrl('https://user:pw@flink.apache.org/')).toBe(false);
    expect(isAllowedExternalUrl('javascript:alert(1)')).toBe(false);
    expect(isAllowedExternalUrl('file:///etc/passwd')).toBe(false);
  });

  it('serves app:// paths from the renderer folder only', () => {
    expect(rendererFilePath('/app/out/renderer', 'app://sluice/', join)).toBe('/app/out/renderer/index.html');
    expect(rendererFilePath('/app/out/renderer', 'app://sluice/assets/index.js', join)).toBe('/app/out/renderer/assets/index.js');
    // The URL parser already folds %2e%2e segments; whatever remains must stay inside the renderer folder.
    expect(rendererFilePath('/app/out/renderer', 'app://sluice/%2e%2e/%2e%2e/etc/passwd', join)).toBe('/app/out/renderer/etc/passwd');
    expect(rendererFilePath('/app/out/renderer', 'app://sluice/assets/%2F..%2F..%2Fetc/passwd', join)).toBeNull();
    expect(rendererFilePath('/app/out/renderer', 'app://sluice/a%00b', join)).toBeNull();
    expect(rendererFilePath('/app/out/renderer', 'app://other/index.html', join)).toBeNull();
  });
});

/** The loader's preference order and its errors (missing or broken addon -> how to rebuild). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addonCandidates, loadBindingFrom } from '../../framework/transport';
import { addonOrigin } from '../../framework/transport/loader';

describe('addon loader', () => {
  it('prefers the local build, then the platform prebuild', () => {
    expect(addonCandidates('/pkg')).toEqual([
      '/pkg/build/Release/fastport.node',
      `/pkg/prebuilds/${process.platform}-${process.arch}/fastport.node`,
    ]);
  });

  it('says where it looked and how to rebuild when the addon is missing', () => {
    expect(() => loadBindingFrom(['/nonexistent/a/fastport.node', '/nonexistent/b/fastport.node'])).toThrow(
      /not found \(looked in \/nonexistent\/a\/fastport.node, \/nonexistent\/b\/fastport.node\).*npm run build:native/,
    );
  });

  it('names the file and how to rebuild when the addon fails to load', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fastport-loader-'));
    const broken = join(dir, 'fastport.node');
    try {
      writeFileSync(broken, 'not an ELF file');
      expect(() => loadBindingFrom(['/nonexistent/fastport.node', broken])).toThrow(
        new RegExp(`loading ${broken}.*npm run build:native`),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names where the loaded addon came from', () => {
    const [local, prebuild] = addonCandidates('/pkg');
    expect(addonOrigin(local, '/pkg')).toBe('local build');
    expect(addonOrigin(prebuild, '/pkg')).toBe('prebuild');
    expect(addonOrigin('/elsewhere/fastport.node', '/pkg')).toBe('FASTPORT_ADDON');
  });
});

// Plumbing the Wine-lane tests share: where the checkout is, whether Wine is
// here (the lane is skipped with a reason without it, except under CI=true,
// where scripts/wine-lane.sh installs it), the built library the lanes
// import, and a bounded child process whose output is kept.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CI = process.env.CI === 'true';

export function wineInstalled(): boolean {
  if (existsSync('/usr/lib/wine/wine64')) return true;
  try {
    execFileSync('sh', ['-c', 'command -v wine64 || command -v wine'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

export const wineSkip = !CI && !wineInstalled() ? 'wine64 not installed (scripts/wine-lane.sh installs it; CI=true runs this lane)' : null;

const newest = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .reduce((m, e) => Math.max(m, statSync(join(e.parentPath, e.name)).mtimeMs), 0);

const builds = new Map<string, string>();

/**
 * The built library's dist/index.js when every one of `entries` in dist/ is
 * newer than every source (`npm test` builds first), else a build of its own in
 * `outDir`, so that dist/, which other suites may be reading, is never rewritten
 * mid-run. Made once per `outDir`.
 */
export function libraryBuild(outDir: string, entries = ['index.js']): string {
  const known = builds.get(outDir);
  if (known) return known;
  const sources = Math.max(newest(join(ROOT, 'src')), newest(join(ROOT, 'native-bindings')));
  const fresh = (f: string) => existsSync(f) && statSync(f).mtimeMs >= sources;
  let lib = join(ROOT, 'dist/index.js');
  if (!entries.every((e) => fresh(join(ROOT, 'dist', e)))) {
    const out = join(outDir, 'dist');
    execFileSync('npm', ['run', 'build', '--', '--out-dir', out], { cwd: ROOT, stdio: 'pipe', timeout: 180_000 });
    lib = join(out, 'index.js');
  }
  builds.set(outDir, lib);
  return lib;
}

/** Runs a command in the checkout, stdout and stderr kept together; killed after `timeoutMs` (0: no limit). */
export function runChild(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 0,
): Promise<{ code: number | null; log: string }> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], ...(timeoutMs ? { timeout: timeoutMs } : {}) });
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, log }));
  });
}

/**
 * Runs a lane script (it prints one JSON object of results as its last `{` line)
 * with the built library, in Linux Node or in Windows Node under Wine
 * (scripts/wine-lane.sh), and returns the parsed results. `cacheDir` is where a
 * build of its own goes when dist/ is stale (libraryBuild).
 */
export function laneResults(script: string, cacheDir: string, lane: 'linux' | 'wine'): Record<string, unknown> {
  const lib = libraryBuild(join(ROOT, cacheDir));
  const out =
    lane === 'linux'
      ? execFileSync(process.execPath, [script, '--dist', lib], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 })
      : execFileSync(
          'bash',
          [
            'scripts/wine-lane.sh',
            'script',
            script,
            ...(lib === join(ROOT, 'dist/index.js') ? [] : ['--dist', `Z:${lib.replaceAll('/', '\\')}`]),
          ],
          { cwd: ROOT, encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] },
        );
  const line = out
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  if (!line) throw new Error(`no result from the ${lane} lane:\n${out}`);
  return JSON.parse(line) as Record<string, unknown>;
}

/**
 * Each step's result against the documented answer; on the Wine lane a step
 * with a recorded Wine deviation must show exactly that (reported as one).
 */
export function checkLane(
  results: Record<string, unknown>,
  expected: Record<string, unknown>,
  wineDeviations: Record<string, unknown>,
  lane: 'linux' | 'wine',
  assertEqual: (got: unknown, want: unknown, label: string) => void,
): void {
  for (const [id, want] of Object.entries(expected)) {
    const dev = lane === 'wine' ? wineDeviations[id] : undefined;
    assertEqual(results[id], dev ?? want, `${lane}: ${id}${dev ? ' (recorded Wine deviation)' : ''}`);
  }
}

// Stand-in "VS Code executable" for @vscode/test-electron's runTests({ vscodeExecutablePath }).
// Bundled to test/e2e/out/launch-code-server.js (with a shebang, made executable).
//
// runTests spawns the executable with VS Code's CLI arguments; the ones that matter here are
//   --extensionDevelopmentPath=DIR (repeatable), --extensionTestsPath=FILE, and a positional folder.
// code-server refuses --extensionDevelopmentPath, so instead this script starts a fresh code-server,
// opens the browser workbench with the same information as a URL payload, relays the extension
// host's console (mocha output) to stdout, and exits with the code the test runner reports through
// window.codeAutomationExit. Everything it started is killed on the way out.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { openBrowser, plainConsoleText, type Browser } from './harness/browser';
import { startCodeServer, type CodeServer } from './harness/codeServer';

const OVERALL_TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS ?? 180_000);

interface LaunchArgs {
  extensionDevelopmentPaths: string[];
  extensionTestsPath?: string;
  folder?: string;
}

function parseArgs(argv: string[]): LaunchArgs {
  const parsed: LaunchArgs = { extensionDevelopmentPaths: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inlineValue] = arg.startsWith('--') && arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const value = () => inlineValue ?? argv[++i];
    switch (flag) {
      case '--extensionDevelopmentPath': parsed.extensionDevelopmentPaths.push(resolve(value())); break;
      case '--extensionTestsPath': parsed.extensionTestsPath = resolve(value()); break;
      // Profile dirs chosen by runTests (.vscode-test/...) are ignored: every run gets fresh temp dirs.
      case '--user-data-dir': case '--extensions-dir': if (inlineValue === undefined) i++; break;
      default:
        // Other VS Code flags (--no-sandbox, --disable-updates, ...) do not apply to code-server.
        if (!arg.startsWith('-')) parsed.folder = resolve(arg);
    }
  }
  return parsed;
}

/** extensionTestsPath may name a module without extension or a directory with index.js. */
function resolveTestsModule(path: string): string {
  if (existsSync(path) && statSync(path).isDirectory()) return resolve(path, 'index.js');
  if (!existsSync(path) && existsSync(`${path}.js`)) return `${path}.js`;
  return path;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (!args.extensionTestsPath) {
    console.error('launch-code-server: --extensionTestsPath is required');
    return 2;
  }
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  const timer = setTimeout(() => {
    console.error(`launch-code-server: no test result within ${OVERALL_TIMEOUT_MS / 1000}s, giving up`);
    void cleanUp().finally(() => process.exit(124));
  }, OVERALL_TIMEOUT_MS);
  async function cleanUp(): Promise<void> {
    await browser?.close();
    await server?.stop();
  }
  try {
    server = await startCodeServer({ log: (line) => console.log(`launch-code-server: ${line}`) });
    const payload: [string, string][] = [
      ...args.extensionDevelopmentPaths.map((p): [string, string] => ['extensionDevelopmentPath', server!.remoteUri(p)]),
      ['extensionTestsPath', server.remoteUri(resolveTestsModule(args.extensionTestsPath))],
    ];
    let reportExit!: (code: number) => void;
    const exitCode = new Promise<number>((done) => { reportExit = done; });
    browser = await openBrowser(server.workbenchUrl(args.folder, payload), {
      beforeNavigate: (page) => page.exposeFunction('codeAutomationExit', (code: number) => reportExit(Number(code))),
      onConsole: (message) => {
        void plainConsoleText(message).then((text) => {
          // The workbench's own chatter (404s for vsda, open-vsx lookups) is noise; keep the extension host's.
          const fromExtensionHost = text.startsWith('[Extension Host]');
          if (fromExtensionHost) console.log(text.replace(/^\[Extension Host\] ?/, ''));
          else if (process.env.E2E_VERBOSE) console.log(`[workbench ${message.type()}] ${text}`);
        });
      },
    });
    browser.page.on('crash', () => reportExit(3));
    const code = await exitCode;
    return code;
  } catch (error) {
    console.error(`launch-code-server: ${error instanceof Error ? error.stack : String(error)}`);
    return 1;
  } finally {
    clearTimeout(timer);
    await cleanUp();
  }
}

main().then((code) => process.exit(code), (error) => { console.error(error); process.exit(1); });

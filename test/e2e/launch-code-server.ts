// Stand-in "VS Code executable" for @vscode/test-electron's runTests({ vscodeExecutablePath }).
// Bundled to test/e2e/out/launch-code-server.js (with a shebang, made executable).
//
// runTests spawns the executable with VS Code's CLI arguments; the ones that matter here are
//   --extensionDevelopmentPath=DIR (repeatable), --extensionTestsPath=FILE, and a positional folder.
// code-server refuses --extensionDevelopmentPath, so instead this script starts a fresh code-server,
// opens the browser workbench with the same information as a URL payload, relays the extension
// host's console (mocha output) to stdout, and exits with the code the test runner reports through
// window.codeAutomationExit. Everything it started is killed on the way out.
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { consoleText, openBrowser, type Browser } from './harness/browser';
import { e2eDir, startCodeServer, type CodeServer } from './harness/codeServer';

/** Lines the extension-host suite wants on stdout start with this mark (see suite/index.ts). */
const RELAY_MARK = '[e2e] ';

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
  // Everything the workbench logged, for post-mortems; the path is printed at the end.
  const artifacts = join(e2eDir, 'artifacts');
  mkdirSync(artifacts, { recursive: true });
  const consoleLogPath = join(artifacts, 'extension-host-console.log');
  const consoleLog = createWriteStream(consoleLogPath);
  // Console messages are formatted asynchronously; a chain keeps them in order and lets the
  // end of the run wait until the last mocha line (E2E-RESULT) has been printed.
  let relayed: Promise<void> = Promise.resolve();

  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  async function cleanUp(): Promise<void> {
    await browser?.close();
    await server?.stop();
    consoleLog.end();
  }
  const timer = setTimeout(() => {
    console.error(`launch-code-server: no test result within ${OVERALL_TIMEOUT_MS / 1000}s, giving up`);
    void cleanUp().finally(() => process.exit(124));
  }, OVERALL_TIMEOUT_MS);
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
        const text = consoleText(message);
        relayed = relayed.then(async () => {
          const line = await text;
          if (!consoleLog.writableEnded) consoleLog.write(`[${message.type()}] ${line}\n`);
          // Only the suite's marked lines go to stdout: the workbench's own chatter (404s for vsda,
          // open-vsx lookups, the extension's log) stays in the console log file unless E2E_VERBOSE.
          if (line.startsWith(RELAY_MARK)) console.log(line.slice(RELAY_MARK.length));
          else if (process.env.E2E_VERBOSE) console.log(`[workbench ${message.type()}] ${line}`);
        }, () => {});
      },
    });
    browser.page.on('crash', () => reportExit(3));
    const code = await exitCode;
    await Promise.race([relayed, new Promise((done) => setTimeout(done, 2000))]);
    console.log(`launch-code-server: test exit code ${code}; workbench console in ${consoleLogPath}`);
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

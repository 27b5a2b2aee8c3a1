/** `patron-bridge config check`: the configuration and every mapping it names compile. */
import { loadSources } from '../app.js';
import { nullLogger } from '../core/logger.js';
import { EXIT, withConfig, type CommonOptions } from './run-cli.js';

export async function configCheckCommand(opts: CommonOptions): Promise<number> {
  return withConfig(opts, async (loaded) => {
    const sources = await loadSources(loaded, nullLogger);
    process.stdout.write(`${loaded.file}: OK (${sources.size} source(s): ${[...sources.keys()].join(', ')})\n`);
    return EXIT.ok;
  });
}

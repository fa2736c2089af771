/** `node services/search-indexer/main.ts`: the search indexer process (PORT default 3006). */
import { runService } from '../shared/server.ts';
import { searchIndexerService } from './definition.ts';

await runService(searchIndexerService());

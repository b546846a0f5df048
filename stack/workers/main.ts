import { runService } from '../service.ts';
import { start } from './index.ts';

runService('workers', start);

import { runService } from '../service.ts';
import { start } from './index.ts';

runService('sms', start);

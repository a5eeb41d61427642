// `npm run docs:agents`: writes docs/agents.md from src/agents (see src/agents/page.ts).
import { writeFileSync } from 'node:fs';
import { agentsPage } from '../src/agents/page.js';

writeFileSync(new URL('../docs/agents.md', import.meta.url), agentsPage());

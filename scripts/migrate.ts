// `bash scripts/image.sh migrate`: applies the migrations to DATABASE_URL and exits
// (every process also migrates at start-up, under an advisory lock on PostgreSQL).
import { dialectOf } from '../app/db/index.js';
import { migrate } from '../app/db/migrate.js';

const url = process.env.DATABASE_URL ?? 'file:./data/app.db';
const applied = await migrate({ dialect: dialectOf(url), url });
console.log(applied.length ? `applied ${applied.join(', ')}` : 'database schema up to date');

// Ids for rows the app inserts with its own SQL, in the shape of Prisma's cuid():
// 'c', the time, a counter, random. Lists ordered by (createdAt, id) then keep
// the insertion order of rows of the same millisecond, as with Prisma's ids.
import { randomBytes } from 'node:crypto';

let counter = 0;

export function newRowId(): string {
  counter = (counter + 1) % 36 ** 4;
  const time = Date.now().toString(36).padStart(8, '0');
  const random = BigInt(`0x${randomBytes(8).toString('hex')}`).toString(36).padStart(12, '0').slice(-12);
  return `c${time}${counter.toString(36).padStart(4, '0')}${random}`;
}

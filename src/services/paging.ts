/** The count of all matching rows beside one page of them; a page of size 0 asks only for the count. */
export async function countedPage<Row>(count: Promise<number>, size: number, page: () => Promise<Row[]>): Promise<[number, Row[]]> {
  return Promise.all([count, size === 0 ? Promise.resolve([]) : page()]);
}

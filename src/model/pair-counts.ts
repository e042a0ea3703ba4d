const EMPTY = -1;

/** The slot a pair's probe starts from, in a table of `mask` + 1 slots. */
function slotOf(row: number, col: number, mask: number): number {
  return (Math.imul(row, 0x9e3779b1) ^ Math.imul(col + 0x7f4a7c15, 0x85ebca77)) & mask;
}

// The loops below are functions of their own, ending with their loop: see countSessions (counts.ts).

/** Number of non-zero cells. */
function nonZero(cells: Int32Array | Float64Array): number {
  let seen = 0;
  for (let i = 0; i < cells.length; i++) if (cells[i] !== 0) seen++;
  return seen;
}

/**
 * Adds each non-zero cell (row by row) into the slots of a table with room for all of them: a new pair takes
 * the first empty slot of its probe, as {@link PairCounts.add} places it. Returns the number of new pairs.
 */
function insertCells(
  cells: Int32Array | Float64Array,
  columns: number,
  rows: Int32Array,
  cols: Int32Array,
  counts: Float64Array,
  mask: number,
): number {
  let added = 0;
  let i = 0;
  for (let row = 0; i < cells.length; row++) {
    for (let col = 0; col < columns; col++, i++) {
      const n = cells[i] as number;
      if (n === 0) continue;
      let at = slotOf(row, col, mask);
      for (;;) {
        const r = rows[at] as number;
        if (r === EMPTY || (r === row && cols[at] === col)) break;
        at = (at + 1) & mask;
      }
      if (rows[at] === EMPTY) {
        rows[at] = row;
        cols[at] = col;
        counts[at] = n;
        added++;
      } else counts[at] = (counts[at] as number) + n;
    }
  }
  return added;
}

/** Adds each non-zero cell (row by row) to `table` with {@link PairCounts.add}. */
function addEachCell(table: PairCounts, cells: Int32Array | Float64Array, columns: number): void {
  let i = 0;
  for (let row = 0; i < cells.length; row++)
    for (let col = 0; col < columns; col++, i++) {
      const n = cells[i] as number;
      if (n !== 0) table.add(row, col, n);
    }
}

/**
 * Counts keyed by a pair of ids (row, column) in one open-addressing hash table of typed arrays:
 * no Map per row, no boxed numbers. Rows are read through a compressed index built on demand.
 */
export class PairCounts {
  #rows: Int32Array;
  #cols: Int32Array;
  #counts: Float64Array;
  #mask: number;
  /** Number of distinct pairs. */
  size = 0;
  #index: { start: Int32Array; order: Int32Array } | null = null;

  /** @param pairs - how many distinct pairs to make room for up front (more grow the table) */
  constructor(pairs = 512) {
    let capacity = 16;
    while (capacity < pairs * 2) capacity *= 2;
    this.#rows = new Int32Array(capacity).fill(EMPTY);
    this.#cols = new Int32Array(capacity);
    this.#counts = new Float64Array(capacity);
    this.#mask = capacity - 1;
  }

  #find(row: number, col: number): number {
    const rows = this.#rows;
    const cols = this.#cols;
    let i = slotOf(row, col, this.#mask);
    for (;;) {
      const r = rows[i] as number;
      if (r === EMPTY || (r === row && cols[i] === col)) return i;
      i = (i + 1) & this.#mask;
    }
  }

  #grow(): void {
    const rows = this.#rows;
    const cols = this.#cols;
    const counts = this.#counts;
    const capacity = rows.length * 2;
    this.#rows = new Int32Array(capacity).fill(EMPTY);
    this.#cols = new Int32Array(capacity);
    this.#counts = new Float64Array(capacity);
    this.#mask = capacity - 1;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i] as number;
      if (r === EMPTY) continue;
      const j = this.#find(r, cols[i] as number);
      this.#rows[j] = r;
      this.#cols[j] = cols[i] as number;
      this.#counts[j] = counts[i] as number;
    }
  }

  /** Makes room for `pairs` distinct pairs in all, so adding up to them never rehashes. */
  reserve(pairs: number): void {
    if (this.size > 0) {
      while (pairs * 2 > this.#rows.length) this.#grow();
      return;
    }
    // Empty: the final size at once (doubling would allocate every size between and rehash nothing).
    let capacity = this.#rows.length;
    while (pairs * 2 > capacity) capacity *= 2;
    if (capacity === this.#rows.length) return;
    this.#rows = new Int32Array(capacity).fill(EMPTY);
    this.#cols = new Int32Array(capacity);
    this.#counts = new Float64Array(capacity);
    this.#mask = capacity - 1;
    this.#index = null;
  }

  /** Adds `amount` to the pair. */
  add(row: number, col: number, amount: number): void {
    let i = this.#find(row, col);
    if (this.#rows[i] === EMPTY) i = this.#insert(i, row, col);
    this.#counts[i] = (this.#counts[i] as number) + amount;
  }

  /** Puts a new pair, with a count of 0, in the empty slot `i` its probe found (growing first when full); its slot. */
  #insert(i: number, row: number, col: number): number {
    if ((this.size + 1) * 2 > this.#rows.length) {
      this.#grow();
      i = this.#find(row, col);
    }
    this.#rows[i] = row;
    this.#cols[i] = col;
    this.#counts[i] = 0;
    this.size++;
    this.#index = null;
    return i;
  }

  /** Adds a pair never added before with its count (one probe, for loading); false, changing nothing, when it was. */
  addNew(row: number, col: number, amount: number): boolean {
    let i = this.#find(row, col);
    if (this.#rows[i] !== EMPTY) return false;
    i = this.#insert(i, row, col);
    this.#counts[i] = (this.#counts[i] as number) + amount;
    return true;
  }

  /**
   * Adds dense counts: cell `row * columns + col` of `cells` holds the amount of (row, col), 0 for none.
   * The same table as {@link PairCounts.add} of each non-zero cell in order (same slots), in one pass with
   * room made once and no division per cell.
   */
  addCells(cells: Int32Array | Float64Array, columns: number): void {
    const seen = nonZero(cells);
    if (seen === 0) return;
    // A table holding pairs that may grow midway: only adding cell by cell grows it where add would.
    if (this.size > 0 && (this.size + seen) * 2 > this.#rows.length) {
      addEachCell(this, cells, columns);
      return;
    }
    this.reserve(this.size + seen);
    this.size += insertCells(cells, columns, this.#rows, this.#cols, this.#counts, this.#mask);
    this.#index = null;
  }

  /** The count of a pair, 0 when it was never added. */
  get(row: number, col: number): number {
    const i = this.#find(row, col);
    return this.#rows[i] === EMPTY ? 0 : (this.#counts[i] as number);
  }

  /** The count of a pair, or `missing` when it was never added (one probe, for hot loops). */
  lookup(row: number, col: number, missing: number): number {
    const i = this.#find(row, col);
    return this.#rows[i] === EMPTY ? missing : (this.#counts[i] as number);
  }

  /** Whether the pair was ever added. */
  has(row: number, col: number): boolean {
    return this.#rows[this.#find(row, col)] !== EMPTY;
  }

  /** Slots grouped by row (a counting sort), built once per change. */
  #rowIndex(): { start: Int32Array; order: Int32Array } {
    if (this.#index !== null) return this.#index;
    const rows = this.#rows;
    let maxRow = -1;
    for (let i = 0; i < rows.length; i++) if ((rows[i] as number) > maxRow) maxRow = rows[i] as number;
    const start = new Int32Array(maxRow + 2);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i] as number;
      if (r !== EMPTY) start[r + 1] = (start[r + 1] as number) + 1;
    }
    for (let r = 0; r <= maxRow; r++) start[r + 1] = (start[r + 1] as number) + (start[r] as number);
    const fill = start.slice(0, maxRow + 1);
    const order = new Int32Array(this.size);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i] as number;
      if (r !== EMPTY) order[(fill[r] as number)++] = i;
    }
    this.#index = { start, order };
    return this.#index;
  }

  /**
   * The table's slots, for loops that read every pair in place (no index, no call per pair): slot i holds
   * the pair (rows[i], cols[i]) with count counts[i], or nothing when rows[i] is -1. A row's pairs come in
   * the order {@link PairCounts.forEach} reads them. Read-only, and valid until the next change.
   */
  slots(): { readonly rows: Int32Array; readonly cols: Int32Array; readonly counts: Float64Array } {
    return { rows: this.#rows, cols: this.#cols, counts: this.#counts };
  }

  /** Number of distinct columns in a row. */
  rowSize(row: number): number {
    const { start } = this.#rowIndex();
    return row + 1 < start.length ? (start[row + 1] as number) - (start[row] as number) : 0;
  }

  /** Calls `fn(col, count)` for every pair of a row. */
  forEachInRow(row: number, fn: (col: number, count: number) => void): void {
    const { start, order } = this.#rowIndex();
    if (row + 1 >= start.length) return;
    for (let k = start[row] as number; k < (start[row + 1] as number); k++) {
      const i = order[k] as number;
      fn(this.#cols[i] as number, this.#counts[i] as number);
    }
  }

  /** The columns of a row. */
  rowKeys(row: number): number[] {
    const keys: number[] = [];
    this.forEachInRow(row, (col) => keys.push(col));
    return keys;
  }

  /** Sum of a row's counts. */
  rowSum(row: number): number {
    let sum = 0;
    this.forEachInRow(row, (_, count) => {
      sum += count;
    });
    return sum;
  }

  /** Calls `fn(row, col, count)` for every pair, grouped by row. */
  forEach(fn: (row: number, col: number, count: number) => void): void {
    const { start, order } = this.#rowIndex();
    for (let row = 0; row + 1 < start.length; row++) {
      for (let k = start[row] as number; k < (start[row + 1] as number); k++) {
        const i = order[k] as number;
        fn(row, this.#cols[i] as number, this.#counts[i] as number);
      }
    }
  }
}

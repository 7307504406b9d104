// lib/conv_walk — a flat loop over planes × rows × cols that moves offsets into two buffers in step, as the
//   conv kernels walk (input, filter), (input, dy) or (dy, filter). Nested loops cost SwiftShader mask
//   bookkeeping at every level (conv2d's k loop measured 1.5× faster flat than as nested c, i, j loops).
//   Each step adds the column stride; the end of a row also adds the row skip, the end of a plane also the
//   plane skip (u32 wrap-around makes "negative" strides and skips work). The caller counts the steps
//   (planes · rows · cols) itself, so the plane count is not stored.
//
// Requires nothing from the including kernel.

struct Walk {
  cols: u32,
  rows: u32,
  a_col: u32,
  a_row: u32,
  a_plane: u32,
  b_col: u32,
  b_row: u32,
  b_plane: u32,
}

struct Cursor {
  a: u32,
  b: u32,
  col: u32,
  row: u32,
}

fn advance(c: Cursor, w: Walk) -> Cursor {
  let row_end = c.col + 1u == w.cols;
  let plane_end = row_end && c.row + 1u == w.rows;
  return Cursor(
    c.a + w.a_col + select(0u, w.a_row, row_end) + select(0u, w.a_plane, plane_end),
    c.b + w.b_col + select(0u, w.b_row, row_end) + select(0u, w.b_plane, plane_end),
    select(c.col + 1u, 0u, row_end),
    select(c.row + select(0u, 1u, row_end), 0u, plane_end),
  );
}

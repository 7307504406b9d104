// lib/conv_params — the uniform struct shared by every conv kernel (conv2d, conv2d_backward_filter,
//   conv2d_backward_input), packed by src/tensor/ops/conv.ts in this order: one struct, so one packing.
//
// Requires nothing; the kernel declares the binding itself: `@group(0) @binding(0) var<uniform> params: Params;`.

struct Params {
  batch: u32,
  in_channels: u32,
  out_channels: u32,
  in_h: u32,
  in_w: u32,
  out_h: u32,
  out_w: u32,
  kernel_h: u32,
  kernel_w: u32,
  stride_h: u32,
  stride_w: u32,
  pad_h: u32,
  pad_w: u32,
  // Used by the backward-filter passes only.
  chunk: u32,
  chunks: u32,
  elements: u32,
}

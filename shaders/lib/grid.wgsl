// lib/grid — the linear invocation index of a 1-D grid that engine.grid(n, WORKGROUP_SIZE) may have folded
//   into two dimensions (more than 65535 workgroups): t = gid.x + gid.y · num_workgroups.x · WORKGROUP_SIZE.
//
// Requires from the including kernel: `override WORKGROUP_SIZE: u32`, the x size of its workgroup (and
//   the only one: the grid is 1-D).

fn linear_index(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
  return gid.x + gid.y * groups.x * WORKGROUP_SIZE;
}

/**
 * Bounding rectangles of the states the shipped profiles use, as [west, south, east, north] degrees
 * (WGS 84), rounded to 0.01°: approximate extreme points of each state, written by hand from memory of
 * the US Census Bureau's state extents, not read from a boundary file here — check them before relying
 * on them. A coverage area's outline to the nearest rectangle, not its border. A state not listed gets
 * an address-only coverage area.
 */
export const STATE_EXTENTS: Readonly<Record<string, readonly [number, number, number, number]>> = {
  CA: [-124.41, 32.53, -114.13, 42.01],
  FL: [-87.63, 24.52, -80.03, 31.0],
  GA: [-85.61, 30.36, -80.84, 35.0],
  MA: [-73.51, 41.24, -69.93, 42.89],
  NH: [-72.56, 42.7, -70.61, 45.31],
  RI: [-71.91, 41.15, -71.12, 42.02],
  TX: [-106.65, 25.84, -93.51, 36.5],
};

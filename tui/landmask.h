/*
 * landmask: the world's land as a bit grid, generated once from Natural
 * Earth's 1:50m land polygons (public domain) by tools/gen-landmask.js
 * into landmask_data.c, run-length encoded. Equirectangular: row 0 is at
 * 90N, column 0 at 180W, landmask_res cells per degree.
 *
 * The map view projects onto a dot canvas covering longitudes -180..180
 * and latitudes LANDMASK_LAT_TOP..LANDMASK_LAT_BOTTOM (Antarctica and
 * the Arctic ice are left out; they hold no regions).
 */
#ifndef DRTOP_LANDMASK_H
#define DRTOP_LANDMASK_H

#include <stdbool.h>

#define LANDMASK_LAT_TOP 84.0
#define LANDMASK_LAT_BOTTOM -58.0

extern const int landmask_res;
extern const unsigned short landmask_row_start[];
extern const unsigned short landmask_runs[];

/* Grid size in cells (360 * res by 180 * res). */
int landmask_width(void);
int landmask_height(void);

/* True when the grid cell containing (lat, lon) is land. */
bool landmask_is_land(double lat, double lon);

/*
 * Fraction (0..1) of land in the box lat0 >= lat > lat1, lon0 <= lon <
 * lon1 (degrees), sampled on the grid.
 */
double landmask_coverage(double lat0, double lon0, double lat1, double lon1);

/*
 * Project (lat, lon) onto a canvas of w x h dots covering the whole
 * longitude range and LANDMASK_LAT_TOP..LANDMASK_LAT_BOTTOM. Writes the
 * dot's column and row (clamped into the canvas).
 */
void landmask_project(double lat, double lon, int w, int h, int *x, int *y);

/* The inverse: the (lat, lon) of the centre of dot (x, y). */
void landmask_unproject(int x, int y, int w, int h, double *lat, double *lon);

#endif

#include "landmask.h"

#include "base/util.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define RES_MAX 2 /* the generated data's landmask_res */

/* Decoded on first use: one byte per cell. Main thread only. */
static uint8_t *grid;

int
landmask_width(void)
{
	return 360 * landmask_res;
}

int
landmask_height(void)
{
	return 180 * landmask_res;
}

static void
decode(void)
{
	static uint8_t cells[360 * RES_MAX * 180 * RES_MAX];
	int w = landmask_width(), h = landmask_height();

	if (landmask_res > RES_MAX)
		die("landmask: resolution %d over %d", landmask_res, RES_MAX);
	for (int y = 0; y < h; y++) {
		int x = 0, land = 0;
		for (int i = landmask_row_start[y];
		     i < landmask_row_start[y + 1]; i++) {
			int run = landmask_runs[i];
			for (int k = 0; k < run && x < w; k++)
				cells[y * w + x++] = (uint8_t)land;
			land ^= 1;
		}
	}
	grid = cells;
}

static int
cell_at(int gx, int gy)
{
	int w = landmask_width(), h = landmask_height();

	if (grid == NULL)
		decode();
	gx = ((gx % w) + w) % w;
	if (gy < 0 || gy >= h)
		return 0;
	return grid[gy * w + gx];
}

bool
landmask_is_land(double lat, double lon)
{
	int gx = (int)floor((lon + 180.0) * landmask_res);
	int gy = (int)floor((90.0 - lat) * landmask_res);

	return cell_at(gx, gy) != 0;
}

double
landmask_coverage(double lat0, double lon0, double lat1, double lon1)
{
	int gx0 = (int)floor((lon0 + 180.0) * landmask_res);
	int gx1 = (int)ceil((lon1 + 180.0) * landmask_res);
	int gy0 = (int)floor((90.0 - lat0) * landmask_res);
	int gy1 = (int)ceil((90.0 - lat1) * landmask_res);
	int land = 0, all = 0;

	if (gx1 <= gx0)
		gx1 = gx0 + 1;
	if (gy1 <= gy0)
		gy1 = gy0 + 1;
	for (int gy = gy0; gy < gy1; gy++)
		for (int gx = gx0; gx < gx1; gx++) {
			land += cell_at(gx, gy);
			all++;
		}
	return all ? (double)land / all : 0.0;
}

void
landmask_project(double lat, double lon, int w, int h, int *x, int *y)
{
	double fx = (lon + 180.0) / 360.0;
	double fy =
	    (LANDMASK_LAT_TOP - lat) / (LANDMASK_LAT_TOP - LANDMASK_LAT_BOTTOM);
	int px = (int)floor(fx * w), py = (int)floor(fy * h);

	*x = px < 0 ? 0 : px >= w ? w - 1 : px;
	*y = py < 0 ? 0 : py >= h ? h - 1 : py;
}

void
landmask_unproject(int x, int y, int w, int h, double *lat, double *lon)
{
	*lon = -180.0 + (x + 0.5) * 360.0 / w;
	*lat = LANDMASK_LAT_TOP -
	    (y + 0.5) * (LANDMASK_LAT_TOP - LANDMASK_LAT_BOTTOM) / h;
}

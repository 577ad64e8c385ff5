#include "lineedit.h"

#include <string.h>

bool
lineedit_erase(char *buf)
{
	size_t len = strlen(buf);

	if (len == 0)
		return false;
	while (len > 0 && ((unsigned char)buf[len - 1] & 0xc0) == 0x80)
		len--;
	if (len > 0)
		len--;
	buf[len] = '\0';
	return true;
}

bool
lineedit_type(char *buf, size_t cap, int ch)
{
	size_t len = strlen(buf);

	if (ch < 0x20 || ch > 0xff || ch == 0x7f || len + 1 >= cap)
		return false;
	buf[len] = (char)ch;
	buf[len + 1] = '\0';
	return true;
}

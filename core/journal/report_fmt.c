#include "journal/report_fmt.h"

#include <stdbool.h>
#include <string.h>

#include "base/utf8.h"
#include "journal/report_html.h"
#include "journal/report_json.h"
#include "journal/report_md.h"
#include "journal/report_table.h"

int
report_format_from_name(const char *name)
{
	if (strcmp(name, "md") == 0 || strcmp(name, "markdown") == 0)
		return REPORT_FMT_MD;
	if (strcmp(name, "json") == 0)
		return REPORT_FMT_JSON;
	if (strcmp(name, "html") == 0)
		return REPORT_FMT_HTML;
	return -1;
}

static bool
is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

/* Whether the three bytes before p (not before s) spell "www". */
static bool
after_www(const unsigned char *s, const unsigned char *p)
{
	return p - s >= 3 && (p[-3] | 0x20) == 'w' && (p[-2] | 0x20) == 'w' &&
	    (p[-1] | 0x20) == 'w';
}

/* The ASCII byte *p of the Markdown text s (REPORT_ESC_MD in
 * report_fmt.h); prev is the byte printed before it (' ' at the start). */
static void
md_char(FILE *f, const unsigned char *s, const unsigned char *p,
    unsigned char prev, bool heading)
{
	unsigned char c = *p, next = p[1];
	bool esc;

	if (c < 0x20 || c == 0x7f) {
		fputc(' ', f);
		return;
	}
	switch (c) {
	case '|':
	case '\\':
	case '`':
	case '*':
	case '<':
	case '[':
	case '~':
	case '$':
		esc = true;
		break;
	case '_':
		esc = !(is_alnum(prev) && is_alnum(next));
		break;
	case '&':
		esc = is_alnum(next) || next == '#';
		break;
	case '#':
		esc = heading && prev == ' ';
		break;
	case ':': /* "scheme://" would start an autolink (GFM) */
		esc = next == '/' && p[2] == '/';
		break;
	case '.': /* and so would "www." */
		esc = after_www(s, p);
		break;
	default:
		esc = false;
	}
	if (esc)
		fputc('\\', f);
	fputc(c, f);
}

void
report_fmt_esc(FILE *f, const char *s, ReportEsc how)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char prev = ' '; /* before the text: a space */

	while (*p) {
		unsigned cp = 0;
		size_t n = utf8_next((const char *)p, &cp);
		if (n > 1 && (utf8_is_bidi(cp) || utf8_is_control(cp))) {
			/* a bidirectional or C1 control in logged text (a
			 * marker, action output) would make the report show
			 * something other than what was logged: JSON keeps it
			 * as an escape, the documents show U+FFFD */
			if (how == REPORT_ESC_JSON)
				fprintf(f, "\\u%04x", cp);
			else
				fputs("\xef\xbf\xbd", f);
			p += n;
			prev = 0x80;
			continue;
		}
		if (n == 0) {
			fputs("\xef\xbf\xbd", f);
			p++;
			prev = 0x80; /* not an ASCII letter */
			continue;
		}
		if (n > 1) {
			fwrite(p, 1, n, f);
			p += n;
			prev = 0x80; /* not an ASCII letter */
			continue;
		}
		unsigned char c = *p;
		if (how == REPORT_ESC_MD || how == REPORT_ESC_MD_HEADING) {
			md_char(f, (const unsigned char *)s, p, prev,
			    how == REPORT_ESC_MD_HEADING);
			prev = c < 0x20 || c == 0x7f ? ' ' : c;
			p++;
			continue;
		}
		p++;
		if (how == REPORT_ESC_JSON) {
			if (c == '"' || c == '\\')
				fprintf(f, "\\%c", c);
			else if (c < 0x20)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
		} else if (how == REPORT_ESC_XML) {
			if (c == '&')
				fputs("&amp;", f);
			else if (c == '<')
				fputs("&lt;", f);
			else if (c == '>')
				fputs("&gt;", f);
			else if (c == '"')
				fputs("&quot;", f);
			else if (c == '\'')
				fputs("&#39;", f);
			else if (c < 0x20 || c == 0x7f)
				fputc(' ', f);
			else
				fputc(c, f);
		}
	}
}

int
report_write(
    const Report *r, const ReportWhatIf *whatif, ReportFormat fmt, FILE *f)
{
	ReportTable *t;

	if (fmt == REPORT_FMT_JSON) {
		report_json_write(r, whatif, f);
	} else {
		/* Markdown and HTML print the same tables. */
		t = report_table_new(r, whatif);
		if (fmt == REPORT_FMT_HTML)
			report_html_write(r, t, f);
		else
			report_md_write(t, f);
		report_table_free(t);
	}
	return ferror(f) ? -1 : 0;
}

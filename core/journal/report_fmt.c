#include "journal/report_fmt.h"

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

void
report_fmt_esc(FILE *f, const char *s, ReportEsc how)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = utf8_next((const char *)p, NULL);
		if (n == 0) {
			fputs("\xef\xbf\xbd", f);
			p++;
			continue;
		}
		if (n > 1) {
			fwrite(p, 1, n, f);
			p += n;
			continue;
		}
		unsigned char c = *p++;
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
		} else {
			if (c == '|' || c == '\\' || c == '`' || c == '*' ||
			    c == '_' || c == '<' || c == '>' || c == '[' ||
			    c == ']')
				fprintf(f, "\\%c", c);
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
			report_md_write(r, t, f);
		report_table_free(t);
	}
	return ferror(f) ? -1 : 0;
}

/*
 * fault: the fault texts and what each fault means for a request. Pure;
 * see fault.h.
 */
#include "sim/fault.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "base/util.h"

static const struct {
	SimFaultKind kind;
	const char *word;
	bool has_arg;
} fault_words[] = {
    {SIM_FAULT_OK, "ok", false},
    {SIM_FAULT_STATUS, "status", true},
    {SIM_FAULT_REFUSE, "refuse", false},
    {SIM_FAULT_BLACKHOLE, "blackhole", false},
    {SIM_FAULT_SLOW, "slow", true},
    {SIM_FAULT_FLAP, "flap", false},
    {SIM_FAULT_RESET, "reset", false},
    {SIM_FAULT_HUGE, "huge", false},
    {SIM_FAULT_GARBAGE, "garbage", false},
};

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static const char *
skip_space(const char *p)
{
	while (is_space(*p))
		p++;
	return p;
}

/* Index of word in fault_words (any case), or -1. */
static int
word_find(const char *word)
{
	for (size_t i = 0; i < ARRAY_LEN(fault_words); i++)
		if (strcasecmp(word, fault_words[i].word) == 0)
			return (int)i;
	return -1;
}

/* A decimal number, then only white space: true with *v set. */
static bool
number_parse(const char *p, long *v)
{
	char *end;

	if (*p < '0' || *p > '9')
		return false;
	errno = 0;
	*v = strtol(p, &end, 10);
	if (errno != 0)
		return false;
	return *skip_space(end) == '\0';
}

int
sim_fault_parse(const char *text, SimFault *out, char *err, size_t cap)
{
	char word[16];
	size_t n = 0;
	const char *p = skip_space(text);
	SimFault f = {.kind = SIM_FAULT_OK, .arg = 0};
	int w;
	long v;

	while (*p != '\0' && !is_space(*p)) {
		if (n + 1 >= sizeof(word))
			goto unknown;
		word[n++] = *p++;
	}
	word[n] = '\0';
	p = skip_space(p);
	w = word_find(word);
	if (w < 0)
		goto unknown;
	f.kind = fault_words[w].kind;
	if (!fault_words[w].has_arg) {
		if (*p != '\0') {
			snprintf(err, cap,
			    "fault \"%s\": \"%s\" takes no argument", text,
			    word);
			return -1;
		}
		*out = f;
		return 0;
	}
	if (!number_parse(p, &v)) {
		snprintf(err, cap, "fault \"%s\": \"%s\" needs a number", text,
		    word);
		return -1;
	}
	if (f.kind == SIM_FAULT_STATUS && (v < 200 || v > 599)) {
		snprintf(
		    err, cap, "fault \"%s\": status must be 200-599", text);
		return -1;
	}
	if (f.kind == SIM_FAULT_SLOW && (v < 1 || v > SIM_SLOW_MAX_MS)) {
		snprintf(err, cap, "fault \"%s\": slow takes 1-%d milliseconds",
		    text, SIM_SLOW_MAX_MS);
		return -1;
	}
	f.arg = (int)v;
	*out = f;
	return 0;
unknown:
	snprintf(err, cap,
	    "fault \"%s\": unknown (use ok, status N, refuse, blackhole, "
	    "slow MS, flap, reset, huge or garbage)",
	    text);
	return -1;
}

void
sim_fault_format(const SimFault *f, char *buf, size_t cap)
{
	for (size_t i = 0; i < ARRAY_LEN(fault_words); i++) {
		if (fault_words[i].kind != f->kind)
			continue;
		if (fault_words[i].has_arg)
			snprintf(
			    buf, cap, "%s %d", fault_words[i].word, f->arg);
		else
			snprintf(buf, cap, "%s", fault_words[i].word);
		return;
	}
	snprintf(buf, cap, "?");
}

bool
sim_fault_healthy(const SimFault *f)
{
	switch (f->kind) {
	case SIM_FAULT_OK:
		return true;
	case SIM_FAULT_SLOW:
		return f->arg < 1000;
	case SIM_FAULT_STATUS:
		return f->arg >= 200 && f->arg <= 299;
	default:
		return false;
	}
}

bool
sim_fault_listens(const SimFault *f)
{
	return f->kind != SIM_FAULT_REFUSE;
}

SimAnswer
sim_fault_answer(const SimFault *f, unsigned long long n)
{
	SimAnswer a = {.kind = SIM_ANSWER_STATUS, .status = 200};

	switch (f->kind) {
	case SIM_FAULT_OK:
		break;
	case SIM_FAULT_STATUS:
		a.status = f->arg;
		break;
	case SIM_FAULT_FLAP:
		a.status = n % 2 == 0 ? 200 : 500;
		break;
	case SIM_FAULT_SLOW:
		a.kind = SIM_ANSWER_DELAY;
		a.delay_ms = f->arg;
		break;
	case SIM_FAULT_RESET:
		a.kind = SIM_ANSWER_RESET;
		break;
	case SIM_FAULT_HUGE:
		a.kind = SIM_ANSWER_ENDLESS;
		break;
	case SIM_FAULT_REFUSE:
		a = (SimAnswer){.kind = SIM_ANSWER_DROP};
		break;
	case SIM_FAULT_BLACKHOLE:
		a = (SimAnswer){.kind = SIM_ANSWER_SILENCE};
		break;
	case SIM_FAULT_GARBAGE:
		a = (SimAnswer){.kind = SIM_ANSWER_GARBAGE};
		break;
	}
	return a;
}

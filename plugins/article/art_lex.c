/*
 * art_lex.c -- the importer's lexicon and tokenizer: the keyword table
 * (month and weekday names, units, tense words, number words...), the
 * nouns of events an article dates (art_event_group), the time-zone
 * abbreviations news text uses, and the cut of a sentence into tokens.
 * The patterns over those tokens are in art_scan.c, art_scan_absolute.c
 * and art_scan_relative.c.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "article.h"

typedef struct art_kwent {
	const char *w;
	uint16_t id;
	int32_t val;
} art_kwent;

/* Sorted by word (bsearch); generated, one entry a word. */
static const art_kwent kwtab[] = {
        {"a", ART_K_NUMWORD, 1},
        {"advanced", ART_K_NOT_ED, 0},
        {"after", ART_K_YEARPREP, 0},
        {"afternoon", ART_K_PARTDAY, 0},
        {"aged", ART_K_NOT_ED, 0},
        {"ago", ART_K_AGO, 0},
        {"alleged", ART_K_NOT_ED, 0},
        {"allied", ART_K_NOT_ED, 0},
        {"am", ART_K_TENSE_PRES, 0},
        {"an", ART_K_NUMWORD, 1},
        {"and", ART_K_AND, 0},
        {"apr", ART_K_MONTH_ABBR, 4},
        {"april", ART_K_MONTH, 4},
        {"are", ART_K_TENSE_PRES, 0},
        {"armed", ART_K_NOT_ED, 0},
        {"arose", ART_K_TENSE_PAST, 0},
        {"around", ART_K_YEARPREP, 0},
        {"ate", ART_K_TENSE_PAST, 0},
        {"aug", ART_K_MONTH_ABBR, 8},
        {"august", ART_K_MONTH, 8},
        {"autumn", ART_K_YEARPREP, 0},
        {"based", ART_K_NOT_ED, 0},
        {"be", ART_K_BE, 0},
        {"became", ART_K_TENSE_PAST, 0},
        {"bed", ART_K_NOT_ED, 0},
        {"been", ART_K_BE, 0},
        {"before", ART_K_YEARPREP, 0},
        {"began", ART_K_TENSE_PAST, 0},
        {"beginning", ART_K_POSITION, 0},
        {"begun", ART_K_TENSE_PAST, 0},
        {"being", ART_K_BE, 0},
        {"beloved", ART_K_NOT_ED, 0},
        {"between", ART_K_BETWEEN, 0},
        {"bought", ART_K_TENSE_PAST, 0},
        {"breed", ART_K_NOT_ED, 0},
        {"broke", ART_K_TENSE_PAST, 0},
        {"brought", ART_K_TENSE_PAST, 0},
        {"built", ART_K_TENSE_PAST, 0},
        {"by", ART_K_YEARPREP, 0},
        {"came", ART_K_TENSE_PAST, 0},
        {"can", ART_K_TENSE_AUX, 0},
        {"caught", ART_K_TENSE_PAST, 0},
        {"chose", ART_K_TENSE_PAST, 0},
        {"circa", ART_K_YEARPREP, 0},
        {"close", ART_K_POSITION, 0},
        {"coming", ART_K_COMING, 0},
        {"concerned", ART_K_NOT_ED, 0},
        {"could", ART_K_TENSE_AUX, 0},
        {"creed", ART_K_NOT_ED, 0},
        {"crooked", ART_K_NOT_ED, 0},
        {"currently", ART_K_NOW, 0},
        {"day", ART_K_UNIT, 1},
        {"days", ART_K_UNIT, 1},
        {"dealt", ART_K_TENSE_PAST, 0},
        {"dec", ART_K_MONTH_ABBR, 12},
        {"decade", ART_K_UNIT, 5},
        {"decades", ART_K_UNIT, 5},
        {"december", ART_K_MONTH, 12},
        {"deed", ART_K_NOT_ED, 0},
        {"detailed", ART_K_NOT_ED, 0},
        {"did", ART_K_TENSE_PAST, 0},
        {"do", ART_K_TENSE_PRES, 0},
        {"does", ART_K_TENSE_PRES, 0},
        {"drew", ART_K_TENSE_PAST, 0},
        {"drove", ART_K_TENSE_PAST, 0},
        {"due", ART_K_GOING, 0},
        {"during", ART_K_YEARPREP, 0},
        {"each", ART_K_EVERY, 0},
        {"earlier", ART_K_EARLIER, 0},
        {"early", ART_K_EARLY, 0},
        {"eight", ART_K_NUMWORD, 8},
        {"eleven", ART_K_NUMWORD, 11},
        {"embed", ART_K_NOT_ED, 0},
        {"end", ART_K_POSITION, 0},
        {"evening", ART_K_PARTDAY, 0},
        {"every", ART_K_EVERY, 0},
        {"exceed", ART_K_NOT_ED, 0},
        {"expected", ART_K_GOING, 0},
        {"experienced", ART_K_NOT_ED, 0},
        {"fall", ART_K_YEARPREP, 0},
        {"feb", ART_K_MONTH_ABBR, 2},
        {"february", ART_K_MONTH, 2},
        {"feed", ART_K_NOT_ED, 0},
        {"fell", ART_K_TENSE_PAST, 0},
        {"felt", ART_K_TENSE_PAST, 0},
        {"fifteen", ART_K_NUMWORD, 15},
        {"first", ART_K_FIRST, 0},
        {"five", ART_K_NUMWORD, 5},
        {"fled", ART_K_TENSE_PAST, 0},
        {"flew", ART_K_TENSE_PAST, 0},
        {"for", ART_K_FOR, 0},
        {"fought", ART_K_TENSE_PAST, 0},
        {"found", ART_K_TENSE_PAST, 0},
        {"four", ART_K_NUMWORD, 4},
        {"fri", ART_K_WEEKDAY_ABBR, 4},
        {"friday", ART_K_WEEKDAY, 4},
        {"fridays", ART_K_WEEKDAYS, 4},
        {"from", ART_K_FROM, 0},
        {"froze", ART_K_TENSE_PAST, 0},
        {"gave", ART_K_TENSE_PAST, 0},
        {"going", ART_K_GOING, 0},
        {"got", ART_K_TENSE_PAST, 0},
        {"greed", ART_K_NOT_ED, 0},
        {"grew", ART_K_TENSE_PAST, 0},
        {"had", ART_K_TENSE_PAST, 0},
        {"has", ART_K_TENSE_PRES, 0},
        {"have", ART_K_TENSE_PRES, 0},
        {"heard", ART_K_TENSE_PAST, 0},
        {"heed", ART_K_NOT_ED, 0},
        {"held", ART_K_TENSE_PAST, 0},
        {"hid", ART_K_TENSE_PAST, 0},
        {"hundred", ART_K_NOT_ED, 0},
        {"in", ART_K_IN, 0},
        {"indeed", ART_K_NOT_ED, 0},
        {"intends", ART_K_GOING, 0},
        {"interested", ART_K_NOT_ED, 0},
        {"into", ART_K_INTO, 0},
        {"is", ART_K_TENSE_PRES, 0},
        {"jan", ART_K_MONTH_ABBR, 1},
        {"january", ART_K_MONTH, 1},
        {"jul", ART_K_MONTH_ABBR, 7},
        {"july", ART_K_MONTH, 7},
        {"jun", ART_K_MONTH_ABBR, 6},
        {"june", ART_K_MONTH, 6},
        {"kept", ART_K_TENSE_PAST, 0},
        {"kindred", ART_K_NOT_ED, 0},
        {"knew", ART_K_TENSE_PAST, 0},
        {"laid", ART_K_TENSE_PAST, 0},
        {"last", ART_K_LAST, 0},
        {"lasting", ART_K_FOR, 0},
        {"late", ART_K_LATE, 0},
        {"later", ART_K_LATER, 0},
        {"led", ART_K_TENSE_PAST, 0},
        {"left", ART_K_TENSE_PAST, 0},
        {"likely", ART_K_GOING, 0},
        {"limited", ART_K_NOT_ED, 0},
        {"ll", ART_K_TENSE_FUT, 0},
        {"lost", ART_K_TENSE_PAST, 0},
        {"made", ART_K_TENSE_PAST, 0},
        {"mar", ART_K_MONTH_ABBR, 3},
        {"march", ART_K_MONTH, 3},
        {"may", ART_K_MONTH, 5},
        {"meant", ART_K_TENSE_PAST, 0},
        {"met", ART_K_TENSE_PAST, 0},
        {"mid", ART_K_MID, 0},
        {"middle", ART_K_POSITION, 0},
        {"might", ART_K_TENSE_AUX, 0},
        {"mon", ART_K_WEEKDAY_ABBR, 0},
        {"monday", ART_K_WEEKDAY, 0},
        {"mondays", ART_K_WEEKDAYS, 0},
        {"month", ART_K_UNIT, 3},
        {"months", ART_K_UNIT, 3},
        {"morning", ART_K_PARTDAY, 0},
        {"must", ART_K_TENSE_AUX, 0},
        {"naked", ART_K_NOT_ED, 0},
        {"need", ART_K_NOT_ED, 0},
        {"next", ART_K_NEXT, 0},
        {"night", ART_K_PARTDAY, 0},
        {"nine", ART_K_NUMWORD, 9},
        {"nov", ART_K_MONTH_ABBR, 11},
        {"november", ART_K_MONTH, 11},
        {"now", ART_K_NOW, 0},
        {"nowadays", ART_K_NOW, 0},
        {"oct", ART_K_MONTH_ABBR, 10},
        {"october", ART_K_MONTH, 10},
        {"of", ART_K_OF, 0},
        {"on", ART_K_ON, 0},
        {"one", ART_K_NUMWORD, 1},
        {"over", ART_K_FOR, 0},
        {"overnight", ART_K_PARTDAY, 0},
        {"oversaw", ART_K_TENSE_PAST, 0},
        {"overtook", ART_K_TENSE_PAST, 0},
        {"paid", ART_K_TENSE_PAST, 0},
        {"past", ART_K_PAST, 0},
        {"plan", ART_K_GOING, 0},
        {"planned", ART_K_GOING, 0},
        {"plans", ART_K_GOING, 0},
        {"poised", ART_K_GOING, 0},
        {"preceding", ART_K_PREVIOUS, 0},
        {"presently", ART_K_NOW, 0},
        {"previous", ART_K_PREVIOUS, 0},
        {"prior", ART_K_PREVIOUS, 0},
        {"proceed", ART_K_NOT_ED, 0},
        {"ragged", ART_K_NOT_ED, 0},
        {"ran", ART_K_TENSE_PAST, 0},
        {"red", ART_K_NOT_ED, 0},
        {"reed", ART_K_NOT_ED, 0},
        {"related", ART_K_NOT_ED, 0},
        {"renewed", ART_K_NOT_ED, 0},
        {"rode", ART_K_TENSE_PAST, 0},
        {"rose", ART_K_TENSE_PAST, 0},
        {"rugged", ART_K_NOT_ED, 0},
        {"sacred", ART_K_NOT_ED, 0},
        {"said", ART_K_TENSE_PAST, 0},
        {"same", ART_K_SAME, 0},
        {"sang", ART_K_TENSE_PAST, 0},
        {"sank", ART_K_TENSE_PAST, 0},
        {"sat", ART_K_WEEKDAY_ABBR, 5},
        {"saturday", ART_K_WEEKDAY, 5},
        {"saturdays", ART_K_WEEKDAYS, 5},
        {"saw", ART_K_TENSE_PAST, 0},
        {"say", ART_K_TENSE_PRES, 0},
        {"says", ART_K_TENSE_PRES, 0},
        {"scheduled", ART_K_GOING, 0},
        {"seed", ART_K_NOT_ED, 0},
        {"sent", ART_K_TENSE_PAST, 0},
        {"sep", ART_K_MONTH_ABBR, 9},
        {"sept", ART_K_MONTH_ABBR, 9},
        {"september", ART_K_MONTH, 9},
        {"set", ART_K_GOING, 0},
        {"seven", ART_K_NUMWORD, 7},
        {"shall", ART_K_TENSE_FUT, 0},
        {"shed", ART_K_NOT_ED, 0},
        {"shook", ART_K_TENSE_PAST, 0},
        {"shot", ART_K_TENSE_PAST, 0},
        {"should", ART_K_TENSE_AUX, 0},
        {"since", ART_K_YEARPREP, 0},
        {"six", ART_K_NUMWORD, 6},
        {"skilled", ART_K_NOT_ED, 0},
        {"slated", ART_K_GOING, 0},
        {"slept", ART_K_TENSE_PAST, 0},
        {"slid", ART_K_TENSE_PAST, 0},
        {"sold", ART_K_TENSE_PAST, 0},
        {"sought", ART_K_TENSE_PAST, 0},
        {"speed", ART_K_NOT_ED, 0},
        {"spent", ART_K_TENSE_PAST, 0},
        {"spoke", ART_K_TENSE_PAST, 0},
        {"sprang", ART_K_TENSE_PAST, 0},
        {"spring", ART_K_YEARPREP, 0},
        {"spun", ART_K_TENSE_PAST, 0},
        {"start", ART_K_POSITION, 0},
        {"stole", ART_K_TENSE_PAST, 0},
        {"stood", ART_K_TENSE_PAST, 0},
        {"struck", ART_K_TENSE_PAST, 0},
        {"stuck", ART_K_TENSE_PAST, 0},
        {"succeed", ART_K_NOT_ED, 0},
        {"summer", ART_K_YEARPREP, 0},
        {"sun", ART_K_WEEKDAY_ABBR, 6},
        {"sunday", ART_K_WEEKDAY, 6},
        {"sundays", ART_K_WEEKDAYS, 6},
        {"supposed", ART_K_NOT_ED, 0},
        {"swam", ART_K_TENSE_PAST, 0},
        {"swore", ART_K_TENSE_PAST, 0},
        {"swung", ART_K_TENSE_PAST, 0},
        {"taught", ART_K_TENSE_PAST, 0},
        {"tells", ART_K_TENSE_PRES, 0},
        {"ten", ART_K_NUMWORD, 10},
        {"the", ART_K_THE, 0},
        {"thirty", ART_K_NUMWORD, 30},
        {"this", ART_K_THIS, 0},
        {"thought", ART_K_TENSE_PAST, 0},
        {"three", ART_K_NUMWORD, 3},
        {"threw", ART_K_TENSE_PAST, 0},
        {"through", ART_K_TO, 0},
        {"throughout", ART_K_YEARPREP, 0},
        {"thru", ART_K_TO, 0},
        {"thu", ART_K_WEEKDAY_ABBR, 3},
        {"thur", ART_K_WEEKDAY_ABBR, 3},
        {"thurs", ART_K_WEEKDAY_ABBR, 3},
        {"thursday", ART_K_WEEKDAY, 3},
        {"thursdays", ART_K_WEEKDAYS, 3},
        {"till", ART_K_TO, 0},
        {"to", ART_K_TO, 0},
        {"today", ART_K_TODAY, 0},
        {"told", ART_K_TENSE_PAST, 0},
        {"tomorrow", ART_K_TODAY, 1},
        {"tonight", ART_K_TODAY, 0},
        {"took", ART_K_TENSE_PAST, 0},
        {"tue", ART_K_WEEKDAY_ABBR, 1},
        {"tues", ART_K_WEEKDAY_ABBR, 1},
        {"tuesday", ART_K_WEEKDAY, 1},
        {"tuesdays", ART_K_WEEKDAYS, 1},
        {"turn", ART_K_POSITION, 0},
        {"twelve", ART_K_NUMWORD, 12},
        {"twenty", ART_K_NUMWORD, 20},
        {"two", ART_K_NUMWORD, 2},
        {"underwent", ART_K_TENSE_PAST, 0},
        {"united", ART_K_NOT_ED, 0},
        {"until", ART_K_TO, 0},
        {"upcoming", ART_K_TENSE_FUT, 0},
        {"used", ART_K_NOT_ED, 0},
        {"was", ART_K_TENSE_PAST, 0},
        {"wed", ART_K_WEEKDAY_ABBR, 2},
        {"wednesday", ART_K_WEEKDAY, 2},
        {"wednesdays", ART_K_WEEKDAYS, 2},
        {"weed", ART_K_NOT_ED, 0},
        {"week", ART_K_UNIT, 2},
        {"weeks", ART_K_UNIT, 2},
        {"went", ART_K_TENSE_PAST, 0},
        {"wept", ART_K_TENSE_PAST, 0},
        {"were", ART_K_TENSE_PAST, 0},
        {"wicked", ART_K_NOT_ED, 0},
        {"will", ART_K_TENSE_FUT, 0},
        {"winter", ART_K_YEARPREP, 0},
        {"withdrew", ART_K_TENSE_PAST, 0},
        {"within", ART_K_FOR, 0},
        {"woke", ART_K_TENSE_PAST, 0},
        {"won", ART_K_TENSE_PAST, 0},
        {"wore", ART_K_TENSE_PAST, 0},
        {"would", ART_K_TENSE_AUX, 0},
        {"wound", ART_K_TENSE_PAST, 0},
        {"wrote", ART_K_TENSE_PAST, 0},
        {"year", ART_K_UNIT, 4},
        {"years", ART_K_UNIT, 4},
        {"yesterday", ART_K_TODAY, -1},
};

static int kwcmp(const void *key, const void *ent)
{
	return strcmp(key, ((const art_kwent *)ent)->w);
}

uint16_t art_keyword(const char *w, size_t n, int32_t *val)
{
	char low[16];
	if (n == 0 || n >= sizeof low)
		return ART_K_NONE;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)w[i]);
	low[n] = '\0';
	const art_kwent *e = bsearch(low, kwtab, sizeof kwtab / sizeof kwtab[0],
	                             sizeof kwtab[0], kwcmp);
	if (!e)
		return ART_K_NONE;
	*val = e->val;
	return e->id;
}

/* ---- tokens ---- */

/* UTF-8 punctuation and spaces of the form E2 80 xx: 1 with *ch set for a
 * mark, 2 for a space, 0 for neither. */
static int general_punct(const unsigned char *p, size_t avail, uint8_t *ch)
{
	if (avail < 3 || p[0] != 0xE2 || p[1] != 0x80)
		return 0;
	unsigned char c = p[2];
	if (c <= 0x8A || c == 0xAF)
		return 2;
	if (c >= 0x90 && c <= 0x95)
		*ch = '-';
	else if (c == 0x98 || c == 0x99)
		*ch = '\'';
	else if (c == 0x9C || c == 0x9D)
		*ch = '"';
	else if (c == 0xA6)
		*ch = '.';
	else
		return 0;
	return 1;
}

void art_tokenize(art_scanner *s, const char *text, size_t begin, size_t end)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t i = begin;
	s->ntok = 0;
	while (i < end && s->ntok < ART_MAX_TOKENS) {
		unsigned char c = t[i];
		uint8_t pc = 0;
		int g = c >= 0x80 ? general_punct(t + i, end - i, &pc) : 0;
		if (isspace(c) || g == 2) {
			i += g == 2 ? 3 : 1;
			continue;
		}
		art_tok *k = &s->tok[s->ntok];
		memset(k, 0, sizeof *k);
		k->b = (uint32_t)i;
		if (g == 1) {
			k->type = ART_T_PUNCT;
			k->punct = pc;
			i += 3;
		} else if (isdigit(c)) {
			int32_t v = 0;
			unsigned nd = 0;
			while (i < end && isdigit(t[i])) {
				if (v < 100000000)
					v = v * 10 + (t[i] - '0');
				nd++;
				i++;
			}
			k->type = ART_T_NUM;
			k->num = v;
			k->digits = (uint8_t)(nd > 255 ? 255 : nd);
			if (i + 2 <= end &&
			    (i + 2 == end || !isalpha(t[i + 2]))) {
				char a = (char)t[i], b = (char)t[i + 1];
				if ((a == 's' && b == 't') ||
				    (a == 'n' && b == 'd') ||
				    (a == 'r' && b == 'd') ||
				    (a == 't' && b == 'h')) {
					k->ord = 1;
					i += 2;
				}
			}
		} else if (isalpha(c) || c >= 0x80) {
			while (i < end) {
				unsigned char d = t[i];
				if (isalpha(d))
					i++;
				else if (d >= 0x80 &&
				         !general_punct(t + i, end - i, &pc))
					i++;
				else
					break;
			}
			k->type = ART_T_WORD;
			k->upper = (uint8_t)(isupper(c) != 0);
			k->kw = art_keyword(text + k->b, i - k->b, &k->num);
		} else {
			k->type = ART_T_PUNCT;
			k->punct = c;
			i++;
		}
		k->e = (uint32_t)i;
		s->ntok++;
	}
}

/* ---- event nouns ---- */

typedef struct art_evnoun {
	const char *w;
	int32_t group, point;
} art_evnoun;

/* Nouns naming an event an article dates, by group (art_event_name). */
static const art_evnoun evnouns[] = {
        {"war", 1, 0},
        {"invasion", 1, 1},
        {"conflict", 1, 0},
        {"offensive", 1, 1},
        {"incursion", 1, 1},
        {"pandemic", 2, 0},
        {"outbreak", 2, 1},
        {"epidemic", 2, 0},
        {"election", 3, 1},
        {"elections", 3, 1},
        {"vote", 3, 1},
        {"referendum", 3, 1},
        {"summit", 4, 1},
        {"strike", 5, 0},
        {"strikes", 5, 0},
        {"walkout", 5, 0},
        {"protests", 6, 0},
        {"protest", 6, 0},
        {"demonstrations", 6, 0},
        {"uprising", 6, 0},
        {"earthquake", 7, 1},
        {"quake", 7, 1},
        {"coup", 8, 1},
        {"ceasefire", 9, 0},
        {"truce", 9, 0},
};
static const char *const evnames[ART_EVENT_GROUPS] = {
        "",       "war",      "pandemic",   "election", "summit",
        "strike", "protests", "earthquake", "coup",     "ceasefire"};

int32_t art_event_group(const char *w, size_t n, int32_t *point)
{
	for (size_t k = 0; k < sizeof evnouns / sizeof evnouns[0]; k++)
		if (strlen(evnouns[k].w) == n &&
		    strncasecmp(w, evnouns[k].w, n) == 0) {
			*point = evnouns[k].point;
			return evnouns[k].group;
		}
	return 0;
}

const char *art_event_name(int32_t group)
{
	return group > 0 && group < ART_EVENT_GROUPS ? evnames[group] : "";
}

/* ---- zone abbreviations ---- */

const char *art_zone_abbrev(const char *w, size_t n)
{
	static const struct {
		const char *w, *z;
	} zones[] = {
	        {"GMT", "Z"},
	        {"UTC", "Z"},
	        {"Z", "Z"},
	        {"ET", "[America/New_York]"},
	        {"EST", "-05:00"},
	        {"EDT", "-04:00"},
	        {"CT", "[America/Chicago]"},
	        {"CST", "-06:00"},
	        {"CDT", "-05:00"},
	        {"MT", "[America/Denver]"},
	        {"MST", "-07:00"},
	        {"MDT", "-06:00"},
	        {"PT", "[America/Los_Angeles]"},
	        {"PST", "-08:00"},
	        {"PDT", "-07:00"},
	        {"CET", "+01:00"},
	        {"CEST", "+02:00"},
	        {"EET", "+02:00"},
	        {"EEST", "+03:00"},
	        {"WET", "+00:00"},
	        {"WEST", "+01:00"},
	        {"BST", "+01:00"},
	        {"MSK", "[Europe/Moscow]"},
	        {"JST", "+09:00"},
	        {"KST", "+09:00"},
	        {"HKT", "+08:00"},
	        {"SGT", "+08:00"},
	        {"AEST", "+10:00"},
	        {"AEDT", "+11:00"},
	        {"Eastern", "[America/New_York]"},
	        {"Pacific", "[America/Los_Angeles]"},
	};
	for (size_t k = 0; k < sizeof zones / sizeof zones[0]; k++)
		if (strlen(zones[k].w) == n && memcmp(w, zones[k].w, n) == 0)
			return zones[k].z;
	return NULL;
}

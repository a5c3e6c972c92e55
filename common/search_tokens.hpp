// Tokens for message search (DESIGN.md §4.2: English words and Japanese, Korean and Chinese
// text). Postgres' 'simple' text search splits on spaces and punctuation, which finds nothing
// inside "今日は東京に行きます"; so text is tokenized here the same way for indexing and for
// queries: lower-cased words of letters/digits for alphabetic scripts, and for every run of
// CJK characters (Han, Hiragana, Katakana, Hangul) each single character and each pair of
// neighbours. A query "東京" becomes the bigram 東京, which the stored text contains.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nt {

// Index tokens of `text` (unique, in order of first appearance).
std::vector<std::string> search_index_tokens(std::string_view text, size_t max_tokens = 2000);

// Query tokens: words as is (matched as prefixes), CJK runs as bigrams (a one-character run
// as that character). All must match.
std::vector<std::string> search_query_tokens(std::string_view query, size_t max_tokens = 32);

// The index tokens as a tsvector literal ('a' 'b' ...), cast with $n::tsvector: no text
// search parser or dictionary is involved, so the stored lexemes are exactly these tokens.
std::string search_document(std::string_view text);

// The query tokens as a tsquery literal ANDing them ('a':* & '東京'), cast with $n::tsquery;
// words match as prefixes. Every token is quoted, so user input never becomes tsquery
// syntax. "" when there is nothing to search for.
std::string search_tsquery(std::string_view query);

}  // namespace nt

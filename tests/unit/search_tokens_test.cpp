// Search tokens (common/search_tokens.hpp, DESIGN.md §4.2): the same tokenizer builds the
// stored tsvector and the tsquery, so English words and Japanese, Korean and Chinese text are
// found. Words are lower-cased and prefix-matched; CJK runs are indexed as unigrams and
// bigrams and queried as bigrams.
#include "search_tokens.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace nt {
namespace {

using Tokens = std::vector<std::string>;

bool contains(const Tokens& tokens, const std::string& t) {
  return std::find(tokens.begin(), tokens.end(), t) != tokens.end();
}

size_t count_of(const std::string& s, const std::string& needle) {
  size_t n = 0;
  for (size_t at = s.find(needle); at != std::string::npos; at = s.find(needle, at + 1)) ++n;
  return n;
}

// ---------------------------------------------------------------- alphabetic words

TEST(SearchIndexTokens, EnglishWordsLowerCased) {
  EXPECT_EQ(search_index_tokens("Hello World"), (Tokens{"hello", "world"}));
  EXPECT_EQ(search_index_tokens("NeruTalk v2 RELEASE"), (Tokens{"nerutalk", "v2", "release"}));
}

TEST(SearchIndexTokens, UniqueInOrderOfFirstAppearance) {
  EXPECT_EQ(search_index_tokens("b a B A b"), (Tokens{"b", "a"}));
}

TEST(SearchIndexTokens, PunctuationAndSpacesSplitWords) {
  EXPECT_EQ(search_index_tokens("foo,bar.baz!qux"), (Tokens{"foo", "bar", "baz", "qux"}));
  EXPECT_EQ(search_index_tokens("  tabs\tand\nnewlines  "), (Tokens{"tabs", "and", "newlines"}));
  EXPECT_EQ(search_index_tokens("it's (really) \"quoted\""),
            (Tokens{"it", "s", "really", "quoted"}));
  EXPECT_EQ(search_index_tokens("a-b_c/d\\e@f"), (Tokens{"a", "b", "c", "d", "e", "f"}));
  // Unicode punctuation and emoji separate words too.
  EXPECT_EQ(search_index_tokens("hi\u2014there \u201cyou\u201d"), (Tokens{"hi", "there", "you"}));
  EXPECT_EQ(search_index_tokens("hi😀there"), (Tokens{"hi", "there"}));
}

TEST(SearchIndexTokens, DigitsBelongToWords) {
  EXPECT_EQ(search_index_tokens("room101 2026"), (Tokens{"room101", "2026"}));
}

TEST(SearchIndexTokens, OtherAlphabetsJoinWords) {
  EXPECT_EQ(search_index_tokens("café naïve"), (Tokens{"café", "naïve"}));
  EXPECT_EQ(search_index_tokens("привет мир"), (Tokens{"привет", "мир"}));
}

TEST(SearchIndexTokens, InvalidUtf8SeparatesWords) {
  EXPECT_EQ(search_index_tokens("ab\xff"
                                "cd"),
            (Tokens{"ab", "cd"}));
  EXPECT_EQ(search_index_tokens("\xc3"), Tokens{});
}

TEST(SearchIndexTokens, LongWordsAreCut) {
  const Tokens t = search_index_tokens(std::string(100, 'a'));
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0], std::string(64, 'a'));
  // The query side cuts the same way, so the long word is still found.
  EXPECT_EQ(search_query_tokens(std::string(100, 'a')), t);
}

TEST(SearchIndexTokens, NothingToIndex) {
  EXPECT_TRUE(search_index_tokens("").empty());
  EXPECT_TRUE(search_index_tokens("   ").empty());
  EXPECT_TRUE(search_index_tokens("!?.,;:'\"").empty());
}

// ---------------------------------------------------------------- CJK

TEST(SearchIndexTokens, JapaneseUnigramsAndBigrams) {
  const Tokens t = search_index_tokens("今日は東京に行きます");
  EXPECT_TRUE(contains(t, "東京"));
  for (const char* uni : {"今", "日", "は", "東", "京", "に", "行", "き", "ま", "す"}) {
    EXPECT_TRUE(contains(t, uni)) << uni;
  }
  for (const char* bi : {"今日", "日は", "は東", "京に", "に行", "行き", "きま", "ます"}) {
    EXPECT_TRUE(contains(t, bi)) << bi;
  }
  EXPECT_EQ(t.size(), 10u + 9u);
  // No token spans more than two characters.
  EXPECT_FALSE(contains(t, "東京に"));
}

TEST(SearchIndexTokens, KoreanUnigramsAndBigrams) {
  EXPECT_EQ(search_index_tokens("안녕하세요"),
            (Tokens{"안", "안녕", "녕", "녕하", "하", "하세", "세", "세요", "요"}));
}

TEST(SearchIndexTokens, ChineseAndKatakana) {
  const Tokens zh = search_index_tokens("我爱北京");
  EXPECT_TRUE(contains(zh, "北京"));
  EXPECT_TRUE(contains(zh, "我爱"));
  const Tokens kana = search_index_tokens("カタカナ");
  EXPECT_TRUE(contains(kana, "カタ"));
  EXPECT_TRUE(contains(kana, "タカ"));
  EXPECT_TRUE(contains(kana, "カナ"));
}

TEST(SearchIndexTokens, MixedScripts) {
  EXPECT_EQ(search_index_tokens("hello世界"), (Tokens{"hello", "世", "世界", "界"}));
  EXPECT_EQ(search_index_tokens("東京tower"), (Tokens{"東", "東京", "京", "tower"}));
}

TEST(SearchIndexTokens, CjkPunctuationEndsARun) {
  const Tokens t = search_index_tokens("東京、大阪。");
  EXPECT_TRUE(contains(t, "東京"));
  EXPECT_TRUE(contains(t, "大阪"));
  EXPECT_FALSE(contains(t, "京大"));
  EXPECT_FALSE(contains(t, "、"));
}

TEST(SearchQueryTokens, JapaneseWordIsOneBigram) {
  EXPECT_EQ(search_query_tokens("東京"), Tokens{"東京"});
}

TEST(SearchQueryTokens, OneCjkCharacterIsItself) {
  EXPECT_EQ(search_query_tokens("東"), Tokens{"東"});
  EXPECT_EQ(search_query_tokens("  京 "), Tokens{"京"});
}

TEST(SearchQueryTokens, LongerRunsAreBigramsOnly) {
  EXPECT_EQ(search_query_tokens("안녕하세요"), (Tokens{"안녕", "녕하", "하세", "세요"}));
  EXPECT_EQ(search_query_tokens("東京に行"), (Tokens{"東京", "京に", "に行"}));
}

TEST(SearchQueryTokens, EveryQueryTokenIsAnIndexToken) {
  // What makes search work: a query taken from a message finds that message.
  const std::string text = "今日は東京に行きます hello世界 안녕하세요 Meeting at 10";
  const Tokens index = search_index_tokens(text);
  for (const char* q :
       {"東京", "東", "行きます", "hello", "世界", "안녕", "하세요", "meeting 10", "HELLO世界"}) {
    for (const std::string& t : search_query_tokens(q)) {
      EXPECT_TRUE(contains(index, t)) << q << " -> " << t;
    }
  }
}

TEST(SearchQueryTokens, MixedAndWords) {
  EXPECT_EQ(search_query_tokens("hello世界"), (Tokens{"hello", "世界"}));
  EXPECT_EQ(search_query_tokens("Hello, WORLD!"), (Tokens{"hello", "world"}));
  EXPECT_EQ(search_query_tokens("a a A"), Tokens{"a"});
}

// ---------------------------------------------------------------- caps

TEST(SearchTokens, IndexCap) {
  std::string text;
  for (int i = 0; i < 3000; ++i) text += "w" + std::to_string(i) + " ";
  EXPECT_EQ(search_index_tokens(text).size(), 2000u);
  EXPECT_EQ(search_index_tokens(text, 5), (Tokens{"w0", "w1", "w2", "w3", "w4"}));
  // The stored document uses the default cap.
  EXPECT_EQ(count_of(search_document(text), "' '"), 1999u);
}

TEST(SearchTokens, QueryCap) {
  std::string query;
  for (int i = 0; i < 40; ++i) query += "q" + std::to_string(i) + " ";
  const Tokens t = search_query_tokens(query);
  ASSERT_EQ(t.size(), 32u);
  EXPECT_EQ(t.front(), "q0");
  EXPECT_EQ(t.back(), "q31");
  EXPECT_EQ(search_query_tokens(query, 3), (Tokens{"q0", "q1", "q2"}));
  // The tsquery ANDs at most 32 terms.
  EXPECT_EQ(count_of(search_tsquery(query), " & "), 31u);
}

// ---------------------------------------------------------------- literals

TEST(SearchDocument, QuotedLexemes) {
  EXPECT_EQ(search_document("Hello hello HELLO world"), "'hello' 'world'");
  EXPECT_EQ(search_document("hello世界"), "'hello' '世' '世界' '界'");
  EXPECT_EQ(search_document(""), "");
  EXPECT_EQ(search_document("  ...  "), "");
}

TEST(SearchTsquery, WordsArePrefixesCjkIsExact) {
  EXPECT_EQ(search_tsquery("hello"), "'hello':*");
  EXPECT_EQ(search_tsquery("東京"), "'東京'");
  EXPECT_EQ(search_tsquery("東"), "'東'");
  EXPECT_EQ(search_tsquery("hello世界"), "'hello':* & '世界'");
  EXPECT_EQ(search_tsquery("Hello World"), "'hello':* & 'world':*");
}

TEST(SearchTsquery, QuotesAndBackslashesNeverReachTheLiteral) {
  // ' and \ separate words, so user input cannot close a quoted lexeme or escape one.
  EXPECT_EQ(search_tsquery("it's"), "'it':* & 's':*");
  EXPECT_EQ(search_tsquery("a'b\\c"), "'a':* & 'b':* & 'c':*");
  EXPECT_EQ(search_tsquery("x' | 'y"), "'x':* & 'y':*");
  EXPECT_EQ(search_tsquery("'"), "");
  EXPECT_EQ(search_tsquery("\\"), "");
  EXPECT_EQ(search_document("don't \\n"), "'don' 't' 'n'");
}

TEST(SearchTsquery, TsqueryOperatorsAreOnlyText) {
  EXPECT_EQ(search_tsquery("a & !b | (c) <-> d:*"), "'a':* & 'b':* & 'c':* & 'd':*");
}

TEST(SearchTsquery, EmptyWhenNothingToSearch) {
  EXPECT_EQ(search_tsquery(""), "");
  EXPECT_EQ(search_tsquery(" "), "");
  EXPECT_EQ(search_tsquery(" \t\n "), "");
  EXPECT_EQ(search_tsquery("!!! ???"), "");
  EXPECT_EQ(search_tsquery("\u3000"), "");  // ideographic space
}

}  // namespace
}  // namespace nt

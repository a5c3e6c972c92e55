#include "search_tokens.hpp"

#include <algorithm>
#include <cstdint>

namespace nt {
namespace {

enum class Cls { kSpace, kWord, kCjk };

// Decodes one UTF-8 code point at s[i]; advances i. Invalid bytes decode as U+FFFD.
uint32_t next_cp(std::string_view s, size_t& i) {
  const auto b = static_cast<unsigned char>(s[i]);
  int len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return 0xFFFD;
  }
  uint32_t cp = len == 1 ? b : b & (0x7F >> len);
  for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += static_cast<size_t>(len);
  return cp;
}

bool is_cjk(uint32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0x3040 && c <= 0x309F) || (c >= 0x30A0 && c <= 0x30FF) ||
         (c >= 0x31F0 && c <= 0x31FF) || (c >= 0xFF66 && c <= 0xFF9F) ||
         (c >= 0xAC00 && c <= 0xD7AF) || (c >= 0x1100 && c <= 0x11FF) ||
         (c >= 0x3130 && c <= 0x318F);
}

Cls classify(uint32_t c) {
  if (c < 0x80) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    return alnum ? Cls::kWord : Cls::kSpace;
  }
  if (is_cjk(c)) return Cls::kCjk;
  // Punctuation and symbol blocks separate words; other letters (Latin-1, Cyrillic, ...) join.
  if (c < 0xC0 || (c >= 0x2000 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F) ||
      (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF0F) || c == 0xFFFD ||
      (c >= 0x1F000 && c <= 0x1FAFF)) {
    return Cls::kSpace;
  }
  return Cls::kWord;
}

void append_cp(std::string& out, uint32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

struct Token {
  std::string text;
  bool word;  // alphabetic word (prefix-matched in queries)
};

// Splits text into words and CJK runs (as code point lists).
template <typename OnWord, typename OnRun>
void scan(std::string_view text, OnWord on_word, OnRun on_run) {
  std::string word;
  std::vector<uint32_t> run;
  const auto flush = [&] {
    if (!word.empty()) on_word(word);
    if (!run.empty()) on_run(run);
    word.clear();
    run.clear();
  };
  for (size_t i = 0; i < text.size();) {
    const uint32_t c = next_cp(text, i);
    const Cls k = classify(c);
    if (k == Cls::kWord) {
      if (!run.empty()) flush();
      if (word.size() < 64) append_cp(word, c);
    } else if (k == Cls::kCjk) {
      if (!word.empty()) flush();
      run.push_back(c);
    } else {
      flush();
    }
  }
  flush();
}

void add_unique(std::vector<Token>& out, Token t, size_t max) {
  if (out.size() >= max) return;
  for (const auto& e : out) {
    if (e.text == t.text) return;
  }
  out.push_back(std::move(t));
}

std::string quote_lexeme(const std::string& t) {
  std::string out = "'";
  for (char c : t) {
    if (c == '\'' || c == '\\') out += c == '\'' ? "''" : "\\\\";
    else out += c;
  }
  return out + "'";
}

std::vector<Token> index_tokens(std::string_view text, size_t max) {
  std::vector<Token> out;
  scan(
      text, [&](const std::string& w) { add_unique(out, {w, true}, max); },
      [&](const std::vector<uint32_t>& run) {
        for (size_t i = 0; i < run.size(); ++i) {
          std::string uni;
          append_cp(uni, run[i]);
          add_unique(out, {uni, false}, max);
          if (i + 1 < run.size()) {
            std::string bi = uni;
            append_cp(bi, run[i + 1]);
            add_unique(out, {bi, false}, max);
          }
        }
      });
  return out;
}

std::vector<Token> query_tokens(std::string_view query, size_t max) {
  std::vector<Token> out;
  scan(
      query, [&](const std::string& w) { add_unique(out, {w, true}, max); },
      [&](const std::vector<uint32_t>& run) {
        if (run.size() == 1) {
          std::string uni;
          append_cp(uni, run[0]);
          add_unique(out, {uni, false}, max);
          return;
        }
        for (size_t i = 0; i + 1 < run.size(); ++i) {
          std::string bi;
          append_cp(bi, run[i]);
          append_cp(bi, run[i + 1]);
          add_unique(out, {bi, false}, max);
        }
      });
  return out;
}

}  // namespace

std::vector<std::string> search_index_tokens(std::string_view text, size_t max_tokens) {
  std::vector<std::string> out;
  for (auto& t : index_tokens(text, max_tokens)) out.push_back(std::move(t.text));
  return out;
}

std::vector<std::string> search_query_tokens(std::string_view query, size_t max_tokens) {
  std::vector<std::string> out;
  for (auto& t : query_tokens(query, max_tokens)) out.push_back(std::move(t.text));
  return out;
}

std::string search_document(std::string_view text) {
  std::string out;
  for (const auto& t : index_tokens(text, 2000)) {
    if (!out.empty()) out += ' ';
    out += quote_lexeme(t.text);
  }
  return out;
}

std::string search_tsquery(std::string_view query) {
  std::string out;
  for (const auto& t : query_tokens(query, 32)) {
    if (!out.empty()) out += " & ";
    out += quote_lexeme(t.text);
    if (t.word) out += ":*";
  }
  return out;
}

}  // namespace nt

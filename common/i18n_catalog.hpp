// The catalogue rows; the data lives in i18n_catalog.cpp. Texts are in catalogue_languages()
// order: en, id, jp, ko, cn.
#pragma once

#include <cstddef>

namespace nt {

struct CatalogRow {
  const char* key;
  const char* text[5];
};

extern const CatalogRow kCatalog[];
extern const size_t kCatalogSize;

}  // namespace nt

// libFuzzer target: .xlsx uploads. Raw zip bytes are a poor fuzzing surface
// (CRCs, deflate), so the input is the XML inside a workbook: the worksheet
// part, then optionally "\n--sst--\n" and the shared-strings part. They are
// zipped (stored) with the fixed workbook parts into a temp file and read
// through OpenTable the way ImportLeads reads an upload. Seeds:
// tests/fuzz/corpus/xlsx/ (the sheet XML as Excel writes it).
#include <unistd.h>
#include <zip.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "tests/fuzz/fuzz_common.h"

namespace {

constexpr char kTypes[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types "
    "xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
    "<Default Extension=\"rels\" ContentType=\"application/"
    "vnd.openxmlformats-package.relationships+xml\"/><Default "
    "Extension=\"xml\" ContentType=\"application/xml\"/></Types>";
constexpr char kRootRels[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships "
    "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/officeDocument\" Target=\"xl/workbook.xml\"/>"
    "</Relationships>";
constexpr char kWorkbook[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook "
    "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships\"><sheets><sheet name=\"leads\" sheetId=\"1\" "
    "r:id=\"rId1\"/></sheets></workbook>";
constexpr char kWorkbookRels[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships "
    "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId2\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>"
    "</Relationships>";

// The workbook as bytes, or "" if libzip refused (then nothing is tested).
std::string Zip(const std::vector<std::pair<const char*, std::string>>& parts) {
  static const std::string path =
      "/tmp/crm_fuzz_xlsx_" + std::to_string(getpid()) + ".xlsx";
  int error = 0;
  zip_t* za = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  if (za == nullptr) return "";
  for (const auto& [name, data] : parts) {
    zip_source_t* src = zip_source_buffer(za, data.data(), data.size(), 0);
    if (src == nullptr) break;
    const zip_int64_t index =
        zip_file_add(za, name, src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
    if (index < 0) {
      zip_source_free(src);
      break;
    }
    zip_set_file_compression(za, static_cast<zip_uint64_t>(index), ZIP_CM_STORE,
                             0);
  }
  if (zip_close(za) != 0) {
    zip_discard(za);
    return "";
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  unlink(path.c_str());
  return ss.str();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::string sheet = input;
  std::string shared;
  const size_t split = input.find("\n--sst--\n");
  if (split != std::string::npos) {
    sheet = input.substr(0, split);
    shared = input.substr(split + 9);
  }
  std::vector<std::pair<const char*, std::string>> parts = {
      {"[Content_Types].xml", kTypes},
      {"_rels/.rels", kRootRels},
      {"xl/workbook.xml", kWorkbook},
      {"xl/_rels/workbook.xml.rels", kWorkbookRels},
      {"xl/worksheets/sheet1.xml", sheet},
  };
  if (split != std::string::npos) {
    parts.push_back({"xl/sharedStrings.xml", shared});
  }
  std::string file = Zip(parts);
  if (file.empty()) return 0;
  crm::fuzz::ReadAsLeadImport("leads.xlsx", std::move(file), 4096,
                              crm::fuzz::FuzzOptions());
  return 0;
}

// libFuzzer target: CSV uploads (any encoding; common/import's CsvReader,
// or XlsxReader when the bytes start like a zip) read the way ImportLeads
// reads them. The first input byte picks the file name, delimiter and chunk
// size, so the fuzzer also explores chunk boundaries inside UTF-8/GB18030
// sequences and quoted cells. Seeds: tests/fuzz/corpus/csv/.
#include <cstddef>
#include <cstdint>
#include <string>

#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  std::string file(reinterpret_cast<const char*>(data) + 1, size - 1);
  static const char* const kNames[] = {"leads.csv", "leads.tsv", "leads.txt",
                                       "leads"};
  static const size_t kChunks[] = {1, 2, 3, 7, 64, 1 << 16};
  crm::importer::ReadOptions o = crm::fuzz::FuzzOptions();
  if (mode & 0x40) o.encoding = crm::importer::Encoding::kGb18030;
  if (mode & 0x80) o.skip_blank_rows = false;
  crm::fuzz::ReadAsLeadImport(kNames[mode & 3], std::move(file),
                              kChunks[(mode >> 2) % 6], o);
  return 0;
}

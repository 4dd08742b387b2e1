#include "common/import/xlsx_reader.h"

#include <expat.h>
#include <fcntl.h>
#include <unistd.h>
#include <zip.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <map>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/import/utf8.h"

namespace crm::importer {
namespace {

constexpr XML_Char kNsSep = '\x01';
constexpr size_t kReadBlock = 64 * 1024;
constexpr int kMaxExcelColumns = 16384;
constexpr int64_t kMaxExcelRows = 1048576;

absl::Status NotXlsx(std::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("file: not a valid .xlsx (", std::string(why), ")"));
}

std::string_view LocalName(const XML_Char* name) {
  std::string_view n(name);
  const size_t sep = n.rfind(kNsSep);
  return sep == std::string_view::npos ? n : n.substr(sep + 1);
}

// The value of the attribute with local name `local`, or nullptr.
const XML_Char* Attr(const XML_Char** attrs, std::string_view local) {
  for (size_t i = 0; attrs[i] != nullptr; i += 2) {
    if (LocalName(attrs[i]) == local) return attrs[i + 1];
  }
  return nullptr;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.substr(s.size() - suffix.size()) == suffix;
}

// SAX callbacks with local (namespace-stripped) element names. A non-OK
// status stops the parse and is returned from XmlParser::Parse.
class XmlHandler {
 public:
  virtual ~XmlHandler() = default;
  virtual absl::Status Start(std::string_view name, const XML_Char** attrs) = 0;
  virtual absl::Status End(std::string_view name) = 0;
  virtual absl::Status Text(std::string_view text) = 0;
};

class XmlParser {
 public:
  XmlParser(XmlHandler* handler, std::string part)
      : handler_(handler), part_(std::move(part)) {
    parser_ = XML_ParserCreateNS(nullptr, kNsSep);
    if (parser_ == nullptr) return;
    XML_SetUserData(parser_, this);
    XML_SetElementHandler(parser_, &XmlParser::OnStart, &XmlParser::OnEnd);
    XML_SetCharacterDataHandler(parser_, &XmlParser::OnText);
    XML_SetStartDoctypeDeclHandler(parser_, &XmlParser::OnDoctype);
  }
  ~XmlParser() {
    if (parser_ != nullptr) XML_ParserFree(parser_);
  }
  XmlParser(const XmlParser&) = delete;
  XmlParser& operator=(const XmlParser&) = delete;

  absl::Status Parse(const char* data, size_t size, bool final) {
    if (parser_ == nullptr)
      return absl::ResourceExhaustedError("expat: out of memory");
    if (!status_.ok()) return status_;
    if (XML_Parse(parser_, data, static_cast<int>(size), final ? 1 : 0) ==
        XML_STATUS_ERROR) {
      if (!status_.ok()) return status_;
      status_ = NotXlsx(
          absl::StrCat(part_, ": line ", XML_GetCurrentLineNumber(parser_),
                       ": ", XML_ErrorString(XML_GetErrorCode(parser_))));
    }
    return status_;
  }

 private:
  void Stop(absl::Status status) {
    if (status_.ok()) status_ = std::move(status);
    XML_StopParser(parser_, XML_FALSE);
  }
  static void OnStart(void* data, const XML_Char* name,
                      const XML_Char** attrs) {
    auto* self = static_cast<XmlParser*>(data);
    if (!self->status_.ok()) return;
    if (absl::Status s = self->handler_->Start(LocalName(name), attrs);
        !s.ok()) {
      self->Stop(std::move(s));
    }
  }
  static void OnEnd(void* data, const XML_Char* name) {
    auto* self = static_cast<XmlParser*>(data);
    if (!self->status_.ok()) return;
    if (absl::Status s = self->handler_->End(LocalName(name)); !s.ok()) {
      self->Stop(std::move(s));
    }
  }
  static void OnText(void* data, const XML_Char* text, int len) {
    auto* self = static_cast<XmlParser*>(data);
    if (!self->status_.ok()) return;
    if (absl::Status s = self->handler_->Text(
            std::string_view(text, static_cast<size_t>(len)));
        !s.ok()) {
      self->Stop(std::move(s));
    }
  }
  static void OnDoctype(void* data, const XML_Char*, const XML_Char*,
                        const XML_Char*, int) {
    auto* self = static_cast<XmlParser*>(data);
    self->Stop(NotXlsx(absl::StrCat(self->part_, ": DOCTYPE is not allowed")));
  }

  XML_Parser parser_ = nullptr;
  XmlHandler* handler_;
  std::string part_;
  absl::Status status_;
};

struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};
using ZipFilePtr = std::unique_ptr<zip_file_t, ZipFileCloser>;

std::string ZipErrorText(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string text = zip_error_strerror(&error);
  zip_error_fini(&error);
  return text;
}

// "xl/worksheets/../x.xml" -> "xl/x.xml"; "/xl/a.xml" -> "xl/a.xml".
std::string ResolvePart(std::string_view base_dir, std::string_view target) {
  std::string joined =
      target.substr(0, 1) == "/"
          ? std::string(target.substr(1))
          : absl::StrCat(std::string(base_dir), std::string(target));
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= joined.size()) {
    size_t slash = joined.find('/', start);
    if (slash == std::string::npos) slash = joined.size();
    std::string seg = joined.substr(start, slash - start);
    if (seg == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!seg.empty() && seg != ".") {
      parts.push_back(std::move(seg));
    }
    start = slash + 1;
  }
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out.push_back('/');
    out += p;
  }
  return out;
}

std::string DirOf(std::string_view part) {
  const size_t slash = part.rfind('/');
  return slash == std::string_view::npos
             ? std::string()
             : std::string(part.substr(0, slash + 1));
}

std::string RelsPartOf(std::string_view part) {
  const size_t slash = part.rfind('/');
  const std::string_view file =
      slash == std::string_view::npos ? part : part.substr(slash + 1);
  return absl::StrCat(DirOf(part), "_rels/", std::string(file), ".rels");
}

struct Relationship {
  std::string type;
  std::string target;  // resolved part name (empty for external targets)
};

class RelsHandler : public XmlHandler {
 public:
  explicit RelsHandler(std::string base_dir) : base_dir_(std::move(base_dir)) {}
  absl::Status Start(std::string_view name, const XML_Char** attrs) override {
    if (name != "Relationship") return absl::OkStatus();
    const XML_Char* id = Attr(attrs, "Id");
    const XML_Char* type = Attr(attrs, "Type");
    const XML_Char* target = Attr(attrs, "Target");
    const XML_Char* mode = Attr(attrs, "TargetMode");
    if (id == nullptr || type == nullptr || target == nullptr) {
      return absl::OkStatus();
    }
    Relationship rel{type, ""};
    if (mode == nullptr || std::string_view(mode) != "External") {
      rel.target = ResolvePart(base_dir_, target);
    }
    rels.emplace(id, std::move(rel));
    return absl::OkStatus();
  }
  absl::Status End(std::string_view) override { return absl::OkStatus(); }
  absl::Status Text(std::string_view) override { return absl::OkStatus(); }

  std::map<std::string, Relationship> rels;

 private:
  std::string base_dir_;
};

struct SheetEntry {
  std::string name;
  std::string rel_id;
  bool hidden = false;
};

class WorkbookHandler : public XmlHandler {
 public:
  absl::Status Start(std::string_view name, const XML_Char** attrs) override {
    if (name != "sheet") return absl::OkStatus();
    SheetEntry sheet;
    if (const XML_Char* n = Attr(attrs, "name")) sheet.name = n;
    if (const XML_Char* id = Attr(attrs, "id")) sheet.rel_id = id;
    if (const XML_Char* state = Attr(attrs, "state")) {
      sheet.hidden = std::string_view(state) != "visible";
    }
    sheets.push_back(std::move(sheet));
    return absl::OkStatus();
  }
  absl::Status End(std::string_view) override { return absl::OkStatus(); }
  absl::Status Text(std::string_view) override { return absl::OkStatus(); }

  std::vector<SheetEntry> sheets;
};

// Collects the text of an <si> (shared string) or <is> (inline string):
// <t> directly inside, or inside rich-text runs <r>, but not phonetic <rPh>.
class StringItemText {
 public:
  void Begin() {
    text_.clear();
    in_t_ = false;
    rph_depth_ = 0;
  }
  void Start(std::string_view name) {
    if (name == "rPh") ++rph_depth_;
    if (name == "t" && rph_depth_ == 0) in_t_ = true;
  }
  void End(std::string_view name) {
    if (name == "rPh" && rph_depth_ > 0) --rph_depth_;
    if (name == "t") in_t_ = false;
  }
  bool collecting() const { return in_t_; }
  std::string& text() { return text_; }

 private:
  std::string text_;
  bool in_t_ = false;
  int rph_depth_ = 0;
};

class SharedStringsHandler : public XmlHandler {
 public:
  explicit SharedStringsHandler(int64_t max_bytes) : max_bytes_(max_bytes) {}
  absl::Status Start(std::string_view name, const XML_Char**) override {
    if (name == "si") {
      in_si_ = true;
      item_.Begin();
    } else if (in_si_) {
      item_.Start(name);
    }
    return absl::OkStatus();
  }
  absl::Status End(std::string_view name) override {
    if (name == "si" && in_si_) {
      in_si_ = false;
      strings.push_back(DecodeXmlEscapes(item_.text()));
      bytes_ += static_cast<int64_t>(strings.back().size()) + 32;
      if (bytes_ > max_bytes_) {
        return absl::InvalidArgumentError(
            absl::StrCat("file: the shared strings of the .xlsx take more "
                         "than ",
                         max_bytes_, " bytes"));
      }
    } else if (in_si_) {
      item_.End(name);
    }
    return absl::OkStatus();
  }
  absl::Status Text(std::string_view text) override {
    if (in_si_ && item_.collecting()) {
      item_.text().append(text.data(), text.size());
      if (static_cast<int64_t>(item_.text().size()) > max_bytes_) {
        return absl::InvalidArgumentError(
            "file: a shared string of the .xlsx is too large");
      }
    }
    return absl::OkStatus();
  }

  std::vector<std::string> strings;

 private:
  int64_t max_bytes_;
  int64_t bytes_ = 0;
  bool in_si_ = false;
  StringItemText item_;
};

}  // namespace

int ColumnOfCellRef(std::string_view ref) {
  int col = 0;
  size_t i = 0;
  while (i < ref.size() && i < 4) {
    char c = ref[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c < 'A' || c > 'Z') break;
    col = col * 26 + (c - 'A' + 1);
    ++i;
  }
  if (i == 0 || col > kMaxExcelColumns) return -1;
  for (size_t j = i; j < ref.size(); ++j) {
    if (ref[j] < '0' || ref[j] > '9') return -1;
  }
  return col - 1;
}

std::string ColumnLetters(int column) {
  std::string letters;
  for (int n = column + 1; n > 0; n = (n - 1) / 26) {
    letters.insert(letters.begin(), static_cast<char>('A' + (n - 1) % 26));
  }
  return letters;
}

std::string DecodeXmlEscapes(std::string_view text) {
  if (text.find("_x") == std::string_view::npos) return std::string(text);
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '_' && i + 6 < text.size() && text[i + 1] == 'x' &&
        text[i + 6] == '_') {
      int value = 0;
      bool ok = true;
      for (size_t k = i + 2; k < i + 6; ++k) {
        const int h = hex(text[k]);
        if (h < 0) {
          ok = false;
          break;
        }
        value = value * 16 + h;
      }
      if (ok && !(value >= 0xD800 && value <= 0xDFFF)) {
        AppendUtf8(static_cast<char32_t>(value), &out);
        i += 7;
        continue;
      }
    }
    out.push_back(text[i++]);
  }
  return out;
}

struct XlsxReader::Impl : public XmlHandler {
  ReadOptions options;
  std::optional<SpoolFile> spool;
  zip_t* zip = nullptr;
  std::vector<std::string> shared;
  std::string sheet_name;
  std::string sheet_part;
  ZipFilePtr sheet;
  std::unique_ptr<XmlParser> parser;
  std::vector<char> buffer;
  int64_t sheet_bytes = 0;
  bool done = false;
  absl::Status status;
  std::deque<Row> rows;
  int64_t rows_produced = 0;

  // Sheet parse state.
  bool in_sheet_data = false;
  bool sheet_data_done = false;
  bool in_row = false;
  int64_t row_number = 0;
  std::vector<std::string> cells;
  bool in_cell = false;
  int column = -1;
  std::string cell_type;
  bool in_v = false;
  bool in_is = false;
  bool has_inline = false;
  std::string value;
  StringItemText inline_text;

  ~Impl() override {
    sheet.reset();
    parser.reset();
    if (zip != nullptr) zip_discard(zip);
  }

  std::string Where() const { return absl::StrCat("row ", row_number); }
  std::string CellWhere() const {
    return absl::StrCat("row ", row_number, ": column ", ColumnLetters(column));
  }

  absl::StatusOr<ZipFilePtr> OpenEntry(const std::string& part) {
    const zip_int64_t index = zip_name_locate(zip, part.c_str(), ZIP_FL_NOCASE);
    if (index < 0) return absl::NotFoundError(part);
    zip_file_t* f = zip_fopen_index(zip, static_cast<zip_uint64_t>(index), 0);
    if (f == nullptr) {
      return NotXlsx(absl::StrCat("cannot open ", part, ": ",
                                  zip_error_strerror(zip_get_error(zip))));
    }
    return ZipFilePtr(f);
  }

  bool HasEntry(const std::string& part) {
    return zip_name_locate(zip, part.c_str(), ZIP_FL_NOCASE) >= 0;
  }

  // Reads up to buffer.size() bytes of `f`; 0 at its end.
  absl::StatusOr<size_t> ReadBlock(zip_file_t* f, const std::string& part,
                                   int64_t* total) {
    const zip_int64_t n = zip_fread(f, buffer.data(), buffer.size());
    if (n < 0) {
      return NotXlsx(absl::StrCat("cannot read ", part, ": ",
                                  zip_error_strerror(zip_file_get_error(f))));
    }
    *total += n;
    if (*total > options.max_xml_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("file: ", part, " of the .xlsx is larger than ",
                       options.max_xml_bytes, " bytes uncompressed"));
    }
    return static_cast<size_t>(n);
  }

  // Parses the whole part with `handler`.
  absl::Status ParsePart(const std::string& part, XmlHandler* handler) {
    absl::StatusOr<ZipFilePtr> f = OpenEntry(part);
    if (!f.ok()) return f.status();
    XmlParser xml(handler, part);
    int64_t total = 0;
    while (true) {
      absl::StatusOr<size_t> n = ReadBlock(f->get(), part, &total);
      if (!n.ok()) return n.status();
      if (absl::Status s = xml.Parse(buffer.data(), *n, *n == 0); !s.ok()) {
        return s;
      }
      if (*n == 0) return absl::OkStatus();
    }
  }

  absl::StatusOr<std::map<std::string, Relationship>> ReadRels(
      const std::string& part) {
    const std::string rels_part = RelsPartOf(part);
    RelsHandler handler(DirOf(part));
    if (!HasEntry(rels_part)) return handler.rels;
    if (absl::Status s = ParsePart(rels_part, &handler); !s.ok()) return s;
    return std::move(handler.rels);
  }

  absl::Status OpenArchive(int fd) {
    buffer.resize(kReadBlock);
    if (lseek(fd, 0, SEEK_SET) < 0) {
      return absl::InternalError(
          absl::StrCat("xlsx: lseek: ", strerror(errno)));
    }
    const int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (dup_fd < 0) {
      return absl::InternalError(absl::StrCat("xlsx: dup: ", strerror(errno)));
    }
    int error = 0;
    zip = zip_fdopen(dup_fd, 0, &error);  // closes dup_fd on success only
    if (zip == nullptr) {
      close(dup_fd);
      return NotXlsx(ZipErrorText(error));
    }
    return Init();
  }

  absl::Status OpenPath(const std::string& path) {
    buffer.resize(kReadBlock);
    int error = 0;
    zip = zip_open(path.c_str(), ZIP_RDONLY, &error);
    if (zip == nullptr) {
      if (error == ZIP_ER_NOENT || error == ZIP_ER_OPEN) {
        return absl::NotFoundError(
            absl::StrCat("cannot open ", path, ": ", ZipErrorText(error)));
      }
      return NotXlsx(ZipErrorText(error));
    }
    return Init();
  }

  absl::Status Init() {
    // The workbook part: from the package relationships, else the default.
    std::string workbook = "xl/workbook.xml";
    absl::StatusOr<std::map<std::string, Relationship>> root = ReadRels("");
    if (!root.ok()) return root.status();
    for (const auto& [id, rel] : *root) {
      if (EndsWith(rel.type, "/officeDocument") && !rel.target.empty()) {
        workbook = rel.target;
        break;
      }
    }
    if (!HasEntry(workbook)) {
      return NotXlsx(absl::StrCat("no ", workbook,
                                  "; is it a spreadsheet saved as .xlsx?"));
    }
    WorkbookHandler wb;
    if (absl::Status s = ParsePart(workbook, &wb); !s.ok()) return s;
    absl::StatusOr<std::map<std::string, Relationship>> rels =
        ReadRels(workbook);
    if (!rels.ok()) return rels.status();

    // The first visible worksheet, else the first worksheet at all.
    for (bool want_visible : {true, false}) {
      for (const SheetEntry& entry : wb.sheets) {
        if (want_visible && entry.hidden) continue;
        auto it = rels->find(entry.rel_id);
        if (it == rels->end() || !EndsWith(it->second.type, "/worksheet") ||
            !HasEntry(it->second.target)) {
          continue;
        }
        sheet_name = entry.name;
        sheet_part = it->second.target;
        break;
      }
      if (!sheet_part.empty()) break;
    }
    if (sheet_part.empty()) {
      const std::string fallback =
          ResolvePart(DirOf(workbook), "worksheets/sheet1.xml");
      if (!HasEntry(fallback)) return NotXlsx("the workbook has no worksheet");
      sheet_part = fallback;
      sheet_name = wb.sheets.empty() ? "" : wb.sheets.front().name;
    }

    std::string shared_part;
    for (const auto& [id, rel] : *rels) {
      if (EndsWith(rel.type, "/sharedStrings") && !rel.target.empty()) {
        shared_part = rel.target;
        break;
      }
    }
    if (shared_part.empty()) {
      shared_part = ResolvePart(DirOf(workbook), "sharedStrings.xml");
    }
    if (HasEntry(shared_part)) {
      SharedStringsHandler handler(options.max_shared_strings_bytes);
      if (absl::Status s = ParsePart(shared_part, &handler); !s.ok()) return s;
      shared = std::move(handler.strings);
    }

    absl::StatusOr<ZipFilePtr> f = OpenEntry(sheet_part);
    if (!f.ok()) return NotXlsx(absl::StrCat("cannot open ", sheet_part));
    sheet = std::move(*f);
    parser = std::make_unique<XmlParser>(this, sheet_part);
    return absl::OkStatus();
  }

  // Reads and parses one block of the worksheet.
  absl::Status Pump() {
    absl::StatusOr<size_t> n = ReadBlock(sheet.get(), sheet_part, &sheet_bytes);
    if (!n.ok()) return n.status();
    if (absl::Status s = parser->Parse(buffer.data(), *n, *n == 0); !s.ok()) {
      return s;
    }
    if (*n == 0 || sheet_data_done) {
      done = true;
      sheet.reset();
      parser.reset();
    }
    return absl::OkStatus();
  }

  absl::Status Start(std::string_view name, const XML_Char** attrs) override {
    if (!in_sheet_data) {
      if (name == "sheetData") in_sheet_data = true;
      return absl::OkStatus();
    }
    if (in_cell) {
      if (name == "v") {
        in_v = true;
      } else if (name == "is") {
        in_is = true;
        has_inline = true;
        inline_text.Begin();
      } else if (in_is) {
        inline_text.Start(name);
      }
      return absl::OkStatus();
    }
    if (name == "row") {
      const XML_Char* r = Attr(attrs, "r");
      int64_t number = row_number + 1;
      if (r != nullptr) {
        number = 0;
        std::string_view digits(r);
        if (digits.empty() || digits.size() > 7) number = -1;
        for (char c : digits) {
          if (c < '0' || c > '9') {
            number = -1;
            break;
          }
          if (number >= 0) number = number * 10 + (c - '0');
        }
      }
      if (number < 1 || number > kMaxExcelRows) {
        return NotXlsx(absl::StrCat(sheet_part, ": bad row number \"",
                                    r == nullptr ? "" : r, "\""));
      }
      if (number <= row_number) {
        // Excel writes rows in ascending order; a repeated or earlier row
        // would silently replace or reorder data (and its error rows).
        return NotXlsx(absl::StrCat(sheet_part, ": row ", number,
                                    " comes after row ", row_number));
      }
      row_number = number;
      in_row = true;
      cells.clear();
      column = -1;
      return absl::OkStatus();
    }
    if (name == "c" && in_row) {
      const XML_Char* ref = Attr(attrs, "r");
      const XML_Char* type = Attr(attrs, "t");
      int col = column + 1;
      if (ref != nullptr) {
        col = ColumnOfCellRef(ref);
        if (col < 0) {
          return NotXlsx(
              absl::StrCat(sheet_part, ": bad cell reference \"", ref, "\""));
        }
      }
      if (col <= column) {
        return NotXlsx(absl::StrCat(sheet_part, ": cell ", ColumnLetters(col),
                                    row_number, " comes after column ",
                                    ColumnLetters(column)));
      }
      if (col >= kMaxExcelColumns) {
        return NotXlsx(
            absl::StrCat(sheet_part, ": too many cells in row ", row_number));
      }
      column = col;
      cell_type = type == nullptr ? "n" : type;
      in_cell = true;
      in_v = in_is = has_inline = false;
      value.clear();
    }
    return absl::OkStatus();
  }

  absl::Status End(std::string_view name) override {
    if (!in_sheet_data) return absl::OkStatus();
    if (in_cell) {
      if (name == "c") {
        in_cell = false;
        return EndCell();
      }
      if (name == "v") in_v = false;
      if (name == "is") in_is = false;
      if (in_is) inline_text.End(name);
      return absl::OkStatus();
    }
    if (name == "row" && in_row) {
      in_row = false;
      return EndRow();
    }
    if (name == "sheetData") {
      in_sheet_data = false;
      sheet_data_done = true;
    }
    return absl::OkStatus();
  }

  absl::Status Text(std::string_view text) override {
    if (!in_cell) return absl::OkStatus();
    std::string* target = nullptr;
    if (in_is) {
      if (inline_text.collecting()) target = &inline_text.text();
    } else if (in_v) {
      target = &value;
    }
    if (target == nullptr) return absl::OkStatus();
    if (target->size() + text.size() > options.max_cell_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(CellWhere(), ": cell is longer than ",
                       options.max_cell_bytes, " bytes"));
    }
    target->append(text.data(), text.size());
    return absl::OkStatus();
  }

  absl::Status EndCell() {
    std::string text;
    if (has_inline) {
      text = DecodeXmlEscapes(inline_text.text());
    } else if (cell_type == "s") {
      size_t index = 0;
      bool ok = !value.empty() && value.size() < 10;
      for (char c : value) {
        if (c < '0' || c > '9') {
          ok = false;
          break;
        }
        index = index * 10 + static_cast<size_t>(c - '0');
      }
      if (!ok || index >= shared.size()) {
        return NotXlsx(absl::StrCat(CellWhere(), ": shared string index \"",
                                    value.substr(0, 20), "\" out of range"));
      }
      text = shared[index];
    } else if (cell_type == "b") {
      text = value == "1" ? "TRUE" : value == "0" ? "FALSE" : value;
    } else if (cell_type == "str") {
      text = DecodeXmlEscapes(value);
    } else {
      text = value;  // n (numbers, dates as serials), e (errors), d (ISO)
    }
    if (text.empty()) return absl::OkStatus();
    if (text.size() > options.max_cell_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(CellWhere(), ": cell is longer than ",
                       options.max_cell_bytes, " bytes"));
    }
    if (static_cast<size_t>(column) >= options.max_columns) {
      return absl::InvalidArgumentError(absl::StrCat(
          Where(), ": more than ", options.max_columns, " columns"));
    }
    if (!IsValidUtf8(text) || text.find('\0') != std::string::npos) {
      return NotXlsx(absl::StrCat(CellWhere(), ": text is not valid UTF-8"));
    }
    if (cells.size() <= static_cast<size_t>(column)) cells.resize(column + 1);
    cells[column] = std::move(text);
    return absl::OkStatus();
  }

  absl::Status EndRow() {
    if (cells.empty() && options.skip_blank_rows) return absl::OkStatus();
    if (rows_produced >= options.max_rows) {
      return absl::InvalidArgumentError(absl::StrCat(
          Where(), ": more than ", options.max_rows, " rows in the file"));
    }
    ++rows_produced;
    rows.push_back(Row{std::move(cells), row_number});
    cells.clear();
    return absl::OkStatus();
  }
};

XlsxReader::XlsxReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
XlsxReader::~XlsxReader() = default;

absl::StatusOr<std::unique_ptr<XlsxReader>> XlsxReader::Open(
    const std::string& path, ReadOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  if (absl::Status s = impl->OpenPath(path); !s.ok()) return s;
  return std::unique_ptr<XlsxReader>(new XlsxReader(std::move(impl)));
}

absl::StatusOr<std::unique_ptr<XlsxReader>> XlsxReader::Open(
    SpoolFile file, ReadOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  const int fd = file.fd();
  impl->spool.emplace(std::move(file));
  if (absl::Status s = impl->OpenArchive(fd); !s.ok()) return s;
  return std::unique_ptr<XlsxReader>(new XlsxReader(std::move(impl)));
}

absl::StatusOr<std::optional<Row>> XlsxReader::Next() {
  Impl& d = *impl_;
  while (true) {
    if (!d.rows.empty()) {
      Row row = std::move(d.rows.front());
      d.rows.pop_front();
      return row;
    }
    if (!d.status.ok()) return d.status;
    if (d.done) return std::nullopt;
    d.status = d.Pump();
  }
}

const std::string& XlsxReader::sheet_name() const { return impl_->sheet_name; }
const std::string& XlsxReader::sheet_part() const { return impl_->sheet_part; }

}  // namespace crm::importer

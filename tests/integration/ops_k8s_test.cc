// The Kubernetes manifests (deploy/k8s) render with `kubectl kustomize` for
// every overlay, and the rendered objects are what operations needs: every
// Deployment has probes, limits, a non-root read-only container and a
// graceful preStop; every service has a Service, HPA, PDB and NetworkPolicy
// that let only its callers in; images, commands and ports match the code.
//
// kubectl must be installed (`deploy/crmctl deps` installs Debian's
// kubernetes-client): without it the test fails, it is never skipped.
#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "tests/testing/test_env.h"

namespace crm::testing {
namespace {

// ------------------------------------------------------------ tiny YAML --
// Enough YAML for kubectl's output: block mappings and sequences (also
// sequences at their key's indent), plain/quoted scalars, `{}`/`[]` and
// flow sequences of scalars, block scalars (`|`, `>`).

struct Node {
  enum Kind { kNull, kScalar, kMap, kSeq } kind = kNull;
  std::string scalar;
  std::vector<std::pair<std::string, Node>> map;
  std::vector<Node> seq;

  const Node& operator[](const std::string& key) const {
    static const Node kMissing;
    for (const auto& [k, v] : map)
      if (k == key) return v;
    return kMissing;
  }
  const Node& operator[](size_t i) const {
    static const Node kMissing;
    return i < seq.size() ? seq[i] : kMissing;
  }
  bool missing() const { return kind == kNull; }
  const std::string& str() const { return scalar; }
  // A dotted path: "spec.template.spec".
  const Node& at(const std::string& path) const {
    const Node* n = this;
    for (absl::string_view part : absl::StrSplit(path, '.'))
      n = &(*n)[std::string(part)];
    return *n;
  }
  int64_t integer() const {
    int64_t v = -1;
    if (kind != kScalar || !absl::SimpleAtoi(scalar, &v)) return -1;
    return v;
  }
};

struct Line {
  int indent;
  std::string text;
};

std::string Unquote(std::string s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') {
    std::string out;
    for (size_t i = 1; i + 1 < s.size(); ++i) {
      if (s[i] == '\\' && i + 2 < s.size()) {
        ++i;
        out += s[i] == 'n' ? '\n' : s[i];
      } else {
        out += s[i];
      }
    }
    return out;
  }
  if (s.size() >= 2 && s.front() == '\'' && s.back() == '\'') {
    std::string out;
    for (size_t i = 1; i + 1 < s.size(); ++i) {
      out += s[i];
      if (s[i] == '\'' && s[i + 1] == '\'') ++i;
    }
    return out;
  }
  return s;
}

Node ScalarNode(const std::string& raw) {
  Node n;
  if (raw == "{}") {
    n.kind = Node::kMap;
  } else if (raw.size() >= 2 && raw.front() == '[' && raw.back() == ']') {
    n.kind = Node::kSeq;
    const std::string inner = raw.substr(1, raw.size() - 2);
    if (!absl::StripAsciiWhitespace(inner).empty()) {
      for (absl::string_view item : absl::StrSplit(inner, ',')) {
        n.seq.push_back(
            ScalarNode(Unquote(std::string(absl::StripAsciiWhitespace(item)))));
      }
    }
  } else {
    n.kind = Node::kScalar;
    n.scalar = Unquote(raw);
  }
  return n;
}

class YamlParser {
 public:
  explicit YamlParser(const std::string& text) {
    for (absl::string_view raw : absl::StrSplit(text, '\n')) {
      std::string s(raw);
      const size_t start = s.find_first_not_of(' ');
      if (start == std::string::npos) {
        lines_.push_back({-1, ""});  // blank: kept for block scalars
        continue;
      }
      lines_.push_back({static_cast<int>(start), s.substr(start)});
    }
  }

  Node Parse() {
    size_t i = Skip(0);
    if (i >= lines_.size()) return {};
    return ParseNode(i, lines_[i].indent);
  }

 private:
  size_t Skip(size_t i) const {
    while (i < lines_.size() &&
           (lines_[i].indent < 0 || lines_[i].text[0] == '#'))
      ++i;
    return i;
  }
  static bool IsItem(const std::string& t) {
    return t == "-" || absl::StartsWith(t, "- ");
  }

  Node ParseNode(size_t& i, int indent) {
    i = Skip(i);
    if (i >= lines_.size() || lines_[i].indent != indent) return {};
    return IsItem(lines_[i].text) ? ParseSeq(i, indent) : ParseMap(i, indent);
  }

  Node ParseSeq(size_t& i, int indent) {
    Node n;
    n.kind = Node::kSeq;
    while ((i = Skip(i)) < lines_.size() && lines_[i].indent == indent &&
           IsItem(lines_[i].text)) {
      const std::string rest =
          lines_[i].text == "-" ? "" : lines_[i].text.substr(2);
      if (rest.empty()) {
        ++i;
        size_t j = Skip(i);
        n.seq.push_back(j < lines_.size() && lines_[j].indent > indent
                            ? ParseNode(i, lines_[j].indent)
                            : Node{});
      } else if (IsItem(rest) || KeyEnd(rest) != std::string::npos) {
        // "- key: v" opens a mapping indented by two more.
        lines_[i] = {indent + 2, rest};
        n.seq.push_back(ParseNode(i, indent + 2));
      } else {
        n.seq.push_back(ScalarNode(rest));
        ++i;
      }
    }
    return n;
  }

  // Position of the ':' ending a mapping key, npos if the line is no key.
  static size_t KeyEnd(const std::string& t) {
    if (t.empty() || t[0] == '"' || t[0] == '\'' || t[0] == '[' || t[0] == '{')
      return t.find(": ") != std::string::npos && t[0] == '"'
                 ? t.find("\": ") + 1
                 : std::string::npos;
    const size_t p = t.find(": ");
    if (p != std::string::npos) return p;
    return t.back() == ':' ? t.size() - 1 : std::string::npos;
  }

  Node ParseMap(size_t& i, int indent) {
    Node n;
    n.kind = Node::kMap;
    while ((i = Skip(i)) < lines_.size() && lines_[i].indent == indent &&
           !IsItem(lines_[i].text)) {
      const std::string& t = lines_[i].text;
      const size_t colon = KeyEnd(t);
      if (colon == std::string::npos) {
        ADD_FAILURE() << "not a YAML key: " << t;
        ++i;
        continue;
      }
      const std::string key = Unquote(t.substr(0, colon));
      const std::string value =
          colon + 1 < t.size()
              ? std::string(absl::StripAsciiWhitespace(t.substr(colon + 1)))
              : "";
      ++i;
      if (value.empty()) {
        const size_t j = Skip(i);
        if (j < lines_.size() && lines_[j].indent > indent) {
          n.map.emplace_back(key, ParseNode(i, lines_[j].indent));
        } else if (j < lines_.size() && lines_[j].indent == indent &&
                   IsItem(lines_[j].text)) {
          n.map.emplace_back(key, ParseSeq(i, indent));
        } else {
          n.map.emplace_back(key, Node{});
        }
      } else if (value[0] == '|' || value[0] == '>') {
        Node s;
        s.kind = Node::kScalar;
        while (i < lines_.size() &&
               (lines_[i].indent < 0 || lines_[i].indent > indent)) {
          absl::StrAppend(&s.scalar, lines_[i].text, "\n");
          ++i;
        }
        n.map.emplace_back(key, std::move(s));
      } else {
        // A long plain scalar may be folded onto deeper-indented lines.
        std::string folded = value;
        while (i < lines_.size() && lines_[i].indent > indent) {
          absl::StrAppend(&folded, " ", lines_[i].text);
          ++i;
        }
        n.map.emplace_back(key, ScalarNode(folded));
      }
    }
    return n;
  }

  std::vector<Line> lines_;
};

std::vector<Node> ParseDocuments(const std::string& text) {
  std::vector<Node> docs;
  std::string current;
  auto flush = [&] {
    Node n = YamlParser(current).Parse();
    if (!n.missing()) docs.push_back(std::move(n));
    current.clear();
  };
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line == "---") {
      flush();
    } else {
      absl::StrAppend(&current, line, "\n");
    }
  }
  flush();
  return docs;
}

// ------------------------------------------------------------- helpers --

// The source tree: CRM_TEST_SOURCE_DIR, else the build dir's CMake cache.
std::string SourceDir() {
  if (const char* s = std::getenv("CRM_TEST_SOURCE_DIR"); s && *s) return s;
  std::ifstream cache(BuildDir() + "/CMakeCache.txt");
  std::string line;
  while (std::getline(cache, line)) {
    if (absl::StartsWith(line, "crm_SOURCE_DIR:STATIC="))
      return line.substr(line.find('=') + 1);
  }
  ADD_FAILURE() << "no crm_SOURCE_DIR in " << BuildDir() << "/CMakeCache.txt";
  return "";
}

struct Run {
  int exit_code = -1;
  std::string out;
};

Run Capture(const std::string& command) {
  Run r;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return r;
  char buf[8192];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Svc {
  std::string name;
  int port;
  bool grpc;
};
const std::vector<Svc>& Services() {
  static const std::vector<Svc> kServices = {
      {"identity", 50051, true}, {"leads", 50052, true},
      {"accounts", 50053, true}, {"opportunities", 50054, true},
      {"orders", 50055, true},   {"tickets", 50056, true},
      {"gateway", 8080, false}};
  return kServices;
}
int AdminPort(const Svc& s) { return s.grpc ? s.port + 1000 : 9080; }

// Who may call whom over gRPC (callee -> callers).
const std::map<std::string, std::set<std::string>>& Callers() {
  static const std::map<std::string, std::set<std::string>> kCallers = {
      {"identity",
       {"leads", "accounts", "opportunities", "orders", "tickets", "gateway"}},
      {"leads", {"gateway"}},
      {"accounts", {"leads", "opportunities", "orders", "tickets", "gateway"}},
      {"opportunities", {"leads", "gateway"}},
      {"orders", {"opportunities", "tickets", "gateway"}},
      {"tickets", {"gateway"}},
  };
  return kCallers;
}

class Rendered {
 public:
  explicit Rendered(const std::vector<Node>& docs) {
    for (const Node& d : docs) {
      objects_[{d["kind"].str(), d.at("metadata.name").str()}] = d;
    }
  }
  const Node* Find(const std::string& kind, const std::string& name) const {
    auto it = objects_.find({kind, name});
    return it == objects_.end() ? nullptr : &it->second;
  }
  std::vector<const Node*> All(const std::string& kind) const {
    std::vector<const Node*> out;
    for (const auto& [key, n] : objects_)
      if (key.first == kind) out.push_back(&n);
    return out;
  }
  // Generated ConfigMaps carry a hash suffix: "crm-config-<hash>".
  const Node* FindPrefix(const std::string& kind,
                         const std::string& prefix) const {
    for (const auto& [key, n] : objects_)
      if (key.first == kind && absl::StartsWith(key.second, prefix)) return &n;
    return nullptr;
  }
  size_t size() const { return objects_.size(); }

 private:
  std::map<std::pair<std::string, std::string>, Node> objects_;
};

const Node* EnvVar(const Node& container, const std::string& name) {
  for (const Node& e : container["env"].seq)
    if (e["name"].str() == name) return &e;
  return nullptr;
}

std::string EnvValue(const Node& container, const std::string& name) {
  const Node* e = EnvVar(container, name);
  return e == nullptr ? "" : (*e)["value"].str();
}

int64_t ContainerPort(const Node& container, const std::string& name) {
  for (const Node& p : container["ports"].seq)
    if (p["name"].str() == name) return p["containerPort"].integer();
  return -1;
}

bool SelectorMatches(const Node& match_labels, const Node& labels) {
  if (match_labels.map.empty()) return false;
  for (const auto& [k, v] : match_labels.map)
    if (labels[k].str() != v.str()) return false;
  return true;
}

Rendered Render(const std::string& overlay) {
  const std::string dir =
      absl::StrCat(SourceDir(), "/deploy/k8s/overlays/", overlay);
  // stderr apart: current kustomize prints deprecation warnings there.
  const std::string err =
      absl::StrCat("/tmp/", UniqueName("kustomize"), ".err");
  Run r = Capture(absl::StrCat("kubectl kustomize '", dir, "' 2>'", err, "'"));
  const std::string errors = ReadFile(err);
  std::remove(err.c_str());
  if (r.exit_code == 127) {
    ADD_FAILURE() << "kubectl not found: run deploy/crmctl deps (installs "
                     "Debian's kubernetes-client)";
  } else {
    EXPECT_EQ(r.exit_code, 0) << "kubectl kustomize " << dir << " failed:\n"
                              << errors;
  }
  return Rendered(ParseDocuments(r.out));
}

// ---------------------------------------------------------------- tests --

TEST(OpsYamlTest, ParsesKubectlStyle) {
  const std::string text =
      "apiVersion: v1\n"
      "kind: ConfigMap\n"
      "metadata:\n"
      "  annotations: {}\n"
      "  name: 'x:y'\n"
      "data:\n"
      "  script: |\n"
      "    line one\n"
      "\n"
      "    line: two\n"
      "  k: \"v \\\"q\\\"\"\n"
      "spec:\n"
      "  ports:\n"
      "  - name: a\n"
      "    port: 1\n"
      "  - name: b\n"
      "    nested:\n"
      "    - x\n"
      "    - - y\n"
      "  command: [\"/bin/sleep\", \"5\"]\n"
      "  empty: []\n"
      "  long: a folded\n"
      "    plain scalar\n"
      "  after: 1\n"
      "---\n"
      "kind: Second\n";
  std::vector<Node> docs = ParseDocuments(text);
  ASSERT_EQ(docs.size(), 2u);
  const Node& d = docs[0];
  EXPECT_EQ(d["kind"].str(), "ConfigMap");
  EXPECT_EQ(d.at("metadata.name").str(), "x:y");
  EXPECT_EQ(d.at("metadata.annotations").kind, Node::kMap);
  EXPECT_EQ(d.at("data.script").str(), "line one\n\nline: two\n");
  EXPECT_EQ(d.at("data.k").str(), "v \"q\"");
  ASSERT_EQ(d.at("spec.ports").seq.size(), 2u);
  EXPECT_EQ(d.at("spec.ports")[0]["port"].integer(), 1);
  EXPECT_EQ(d.at("spec.ports")[1]["name"].str(), "b");
  EXPECT_EQ(d.at("spec.ports")[1]["nested"][0].str(), "x");
  EXPECT_EQ(d.at("spec.ports")[1]["nested"][1][0].str(), "y");
  EXPECT_EQ(d.at("spec.command")[1].str(), "5");
  EXPECT_EQ(d.at("spec.empty").kind, Node::kSeq);
  EXPECT_EQ(d.at("spec.long").str(), "a folded plain scalar");
  EXPECT_EQ(d.at("spec.after").integer(), 1);
  EXPECT_TRUE(d.at("spec.nope").missing());
  EXPECT_EQ(docs[1]["kind"].str(), "Second");
}

class OverlayTest : public ::testing::TestWithParam<std::string> {};

TEST_P(OverlayTest, EveryDeploymentIsProbedLimitedNonRootReadOnly) {
  const Rendered r = Render(GetParam());
  const Node* config = r.FindPrefix("ConfigMap", "crm-config");
  ASSERT_NE(config, nullptr);
  absl::Duration grace;
  ASSERT_TRUE(absl::ParseDuration((*config).at("data.CRM_SHUTDOWN_GRACE").str(),
                                  &grace));
  // NOT_SERVING-but-serving time after SIGTERM (ADR 0096).
  absl::Duration drain_delay;
  ASSERT_TRUE(absl::ParseDuration((*config).at("data.CRM_DRAIN_DELAY").str(),
                                  &drain_delay));
  EXPECT_GT(drain_delay, absl::ZeroDuration());

  const auto deployments = r.All("Deployment");
  ASSERT_EQ(deployments.size(), Services().size());
  for (const Node* d : deployments) {
    const std::string name = d->at("metadata.name").str();
    SCOPED_TRACE(name);
    const Node& pod = d->at("spec.template.spec");
    ASSERT_EQ(pod["containers"].seq.size(), 1u);
    const Node& c = pod["containers"][0];
    for (const char* probe : {"readinessProbe", "livenessProbe"}) {
      const Node& p = c[probe];
      EXPECT_TRUE(!p["grpc"].missing() || !p["httpGet"].missing()) << probe;
    }
    for (const char* kind : {"limits", "requests"}) {
      EXPECT_FALSE(c.at(absl::StrCat("resources.", kind, ".cpu")).missing());
      EXPECT_FALSE(c.at(absl::StrCat("resources.", kind, ".memory")).missing());
    }
    const bool non_root =
        pod.at("securityContext.runAsNonRoot").str() == "true" ||
        c.at("securityContext.runAsNonRoot").str() == "true";
    EXPECT_TRUE(non_root);
    EXPECT_EQ(c.at("securityContext.readOnlyRootFilesystem").str(), "true");
    EXPECT_EQ(c.at("securityContext.allowPrivilegeEscalation").str(), "false");
    // The pod may take preStop + the drain delay + the drain before it is
    // killed.
    const Node& pre = c.at("lifecycle.preStop.exec.command");
    ASSERT_EQ(pre.seq.size(), 2u);
    EXPECT_EQ(pre[0].str(), "/bin/sleep");
    const int64_t pre_stop = pre[1].integer();
    EXPECT_GT(pre_stop, 0);
    EXPECT_GE(pod["terminationGracePeriodSeconds"].integer(),
              pre_stop + absl::ToInt64Seconds(drain_delay) +
                  absl::ToInt64Seconds(grace) + 5);
    // /tmp is writable (import spool files) although the root is not.
    bool tmp = false;
    for (const Node& m : c["volumeMounts"].seq)
      tmp = tmp || m["mountPath"].str() == "/tmp";
    EXPECT_TRUE(tmp);
  }
}

TEST_P(OverlayTest, EveryServiceHasItsObjectsWithTheCodesPorts) {
  const Rendered r = Render(GetParam());
  const Node* config = r.FindPrefix("ConfigMap", "crm-config");
  ASSERT_NE(config, nullptr);
  for (const Svc& s : Services()) {
    const std::string name = "crm-" + s.name;
    SCOPED_TRACE(name);
    const Node* d = r.Find("Deployment", name);
    ASSERT_NE(d, nullptr);
    const Node& pod_labels = d->at("spec.template.metadata.labels");
    EXPECT_TRUE(
        SelectorMatches(d->at("spec.selector.matchLabels"), pod_labels));
    const Node& c = d->at("spec.template.spec.containers")[0];
    // One image for all (ADR 0050); the command picks the binary.
    const std::string image = c["image"].str();
    const std::string repo = image.substr(0, image.rfind(':'));
    EXPECT_EQ(repo.substr(repo.rfind('/') + 1), "crm") << image;
    EXPECT_NE(image.find(':'), std::string::npos) << "untagged " << image;
    ASSERT_EQ(c["command"].seq.size(), 1u);
    EXPECT_EQ(c["command"][0].str(), "/usr/local/bin/crm-" + s.name);

    const std::string port_name = s.grpc ? "grpc" : "http";
    EXPECT_EQ(ContainerPort(c, port_name), s.port);
    EXPECT_EQ(ContainerPort(c, "admin"), AdminPort(s));
    EXPECT_EQ(EnvValue(c, "CRM_LISTEN"), absl::StrCat("0.0.0.0:", s.port));
    EXPECT_EQ(EnvValue(c, "CRM_ADMIN_LISTEN"),
              absl::StrCat("0.0.0.0:", AdminPort(s)));
    const Node& annotations = d->at("spec.template.metadata.annotations");
    EXPECT_EQ(annotations["prometheus.io/scrape"].str(), "true");
    EXPECT_EQ(annotations["prometheus.io/port"].str(),
              absl::StrCat(AdminPort(s)));
    EXPECT_EQ(annotations["prometheus.io/path"].str(), "/metrics");
    if (s.grpc) {
      for (const char* probe :
           {"readinessProbe", "livenessProbe", "startupProbe"}) {
        EXPECT_EQ(c.at(absl::StrCat(probe, ".grpc.port")).integer(), s.port)
            << probe;
      }
      EXPECT_EQ(EnvValue(c, "CRM_DB_NAME"), "crm_" + s.name);
      for (const char* secret : {"CRM_DB_USER", "CRM_DB_PASSWORD"}) {
        const Node* e = EnvVar(c, secret);
        ASSERT_NE(e, nullptr) << secret;
        EXPECT_TRUE(absl::StartsWith(
            (*e).at("valueFrom.secretKeyRef.name").str(), "crm-db-" + s.name))
            << secret;
      }
      EXPECT_EQ((*config)
                    .at("data.CRM_" + absl::AsciiStrToUpper(s.name) + "_ADDR")
                    .str(),
                absl::StrCat(name, ":", s.port));
    } else {
      for (const char* probe : {"readinessProbe", "livenessProbe"}) {
        EXPECT_EQ(c.at(absl::StrCat(probe, ".httpGet.path")).str(), "/healthz");
      }
    }
    const Node* token = EnvVar(c, "CRM_TOKEN_KEY");
    ASSERT_NE(token, nullptr);
    EXPECT_TRUE(absl::StartsWith(
        (*token).at("valueFrom.secretKeyRef.name").str(), "crm-token"));

    const Node* svc = r.Find("Service", name);
    ASSERT_NE(svc, nullptr);
    EXPECT_TRUE(SelectorMatches(svc->at("spec.selector"), pod_labels));
    ASSERT_EQ(svc->at("spec.ports").seq.size(), 1u);
    EXPECT_EQ(svc->at("spec.ports")[0]["port"].integer(), s.port);

    const Node* pdb = r.Find("PodDisruptionBudget", name);
    ASSERT_NE(pdb, nullptr);
    EXPECT_TRUE(
        SelectorMatches(pdb->at("spec.selector.matchLabels"), pod_labels));
    const Node* hpa = r.Find("HorizontalPodAutoscaler", name);
    ASSERT_NE(hpa, nullptr);
    EXPECT_EQ(hpa->at("spec.scaleTargetRef.kind").str(), "Deployment");
    EXPECT_EQ(hpa->at("spec.scaleTargetRef.name").str(), name);
    EXPECT_GE(hpa->at("spec.maxReplicas").integer(),
              hpa->at("spec.minReplicas").integer());
  }
}

TEST_P(OverlayTest, NetworkPoliciesAdmitOnlyCallers) {
  const Rendered r = Render(GetParam());
  const Node* deny = r.Find("NetworkPolicy", "crm-default-deny");
  ASSERT_NE(deny, nullptr);
  EXPECT_TRUE(deny->at("spec.podSelector").map.empty());
  EXPECT_EQ(deny->at("spec.policyTypes").seq.size(), 2u);
  EXPECT_TRUE(deny->at("spec.ingress").missing());

  for (const Svc& s : Services()) {
    const std::string name = "crm-" + s.name;
    SCOPED_TRACE(name);
    const Node* np = r.Find("NetworkPolicy", name);
    ASSERT_NE(np, nullptr);
    EXPECT_EQ(
        np->at("spec.podSelector.matchLabels")["app.kubernetes.io/name"].str(),
        name);
    std::set<std::string> callers;
    bool open_to_all = false;
    for (const Node& rule : np->at("spec.ingress").seq) {
      bool service_port = false;
      for (const Node& p : rule["ports"].seq) {
        const int64_t port = p["port"].integer();
        EXPECT_TRUE(port == s.port || port == AdminPort(s)) << port;
        service_port = service_port || port == s.port;
      }
      if (!service_port) continue;
      if (rule["from"].missing()) open_to_all = true;
      for (const Node& peer : rule["from"].seq) {
        EXPECT_TRUE(peer["namespaceSelector"].missing());
        EXPECT_TRUE(peer["ipBlock"].missing());
        const std::string from =
            peer.at("podSelector.matchLabels")["app.kubernetes.io/name"].str();
        ASSERT_TRUE(absl::StartsWith(from, "crm-")) << from;
        callers.insert(from.substr(4));
      }
    }
    if (s.grpc) {
      EXPECT_FALSE(open_to_all);
      EXPECT_EQ(callers, Callers().at(s.name));
    } else {
      EXPECT_TRUE(open_to_all) << "the gateway is the public entry";
    }
    // Egress: exactly the services it calls (the inverse of Callers()).
    std::set<std::string> expected, reached;
    for (const auto& [callee, who] : Callers())
      if (who.count(s.name)) expected.insert(callee);
    for (const Node& rule : np->at("spec.egress").seq)
      for (const Node& peer : rule["to"].seq)
        reached.insert(
            peer.at("podSelector.matchLabels")["app.kubernetes.io/name"]
                .str()
                .substr(4));
    EXPECT_EQ(reached, expected);
  }
}

INSTANTIATE_TEST_SUITE_P(Overlays, OverlayTest,
                         ::testing::Values("dev", "prod"));

TEST(OpsK8sTest, ProdRunsTwoOfEverythingAndKeepsOneThroughDisruptions) {
  const Rendered r = Render("prod");
  for (const Svc& s : Services()) {
    const std::string name = "crm-" + s.name;
    SCOPED_TRACE(name);
    const Node* d = r.Find("Deployment", name);
    ASSERT_NE(d, nullptr);
    EXPECT_GE(d->at("spec.replicas").integer(), 2);
    EXPECT_EQ(d->at("metadata.namespace").str(), "crm");
    const Node* hpa = r.Find("HorizontalPodAutoscaler", name);
    ASSERT_NE(hpa, nullptr);
    EXPECT_GE(hpa->at("spec.minReplicas").integer(), 2);
    const Node* pdb = r.Find("PodDisruptionBudget", name);
    ASSERT_NE(pdb, nullptr);
    EXPECT_EQ(pdb->at("spec.minAvailable").integer(), 1);
    EXPECT_TRUE(pdb->at("spec.maxUnavailable").missing());
  }
  // Datastores are external in prod.
  EXPECT_TRUE(r.All("StatefulSet").empty());
  // No secrets are rendered for prod: they are created outside git.
  EXPECT_TRUE(r.All("Secret").empty());
}

TEST(OpsK8sTest, DevBringsItsOwnMariaDbAndRedis) {
  const Rendered r = Render("dev");
  ASSERT_NE(r.Find("StatefulSet", "crm-mariadb"), nullptr);
  ASSERT_NE(r.Find("StatefulSet", "crm-redis"), nullptr);
  ASSERT_NE(r.Find("Service", "crm-mariadb"), nullptr);
  ASSERT_NE(r.Find("Service", "crm-redis"), nullptr);
  const Node* config = r.FindPrefix("ConfigMap", "crm-config");
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->at("data.CRM_DB_HOST").str(), "crm-mariadb");
  EXPECT_EQ(config->at("data.CRM_REDIS_HOST").str(), "crm-redis");
  // Every secret a Deployment references is generated in dev.
  std::set<std::string> secrets;
  for (const Node* s : r.All("Secret"))
    secrets.insert(s->at("metadata.name").str());
  for (const Node* d : r.All("Deployment")) {
    for (const Node& e : d->at("spec.template.spec.containers")[0]["env"].seq) {
      const std::string ref = e.at("valueFrom.secretKeyRef.name").str();
      if (!ref.empty())
        EXPECT_EQ(secrets.count(ref), 1u)
            << d->at("metadata.name").str() << " " << ref;
    }
  }
}

// The ports table the manifests use is the code's: each service's main.cc
// default listen address (for the services in this tree) and crmctl's
// SERVICE_PORTS.
TEST(OpsK8sTest, PortsMatchTheCodesDefaults) {
  const std::string root = SourceDir();
  const std::string crmctl = ReadFile(root + "/deploy/crmctl");
  int present = 0;
  for (const Svc& s : Services()) {
    SCOPED_TRACE(s.name);
    EXPECT_NE(crmctl.find(absl::StrCat("  ", s.name, ":", s.port, "\n")),
              std::string::npos);
    std::string main =
        ReadFile(absl::StrCat(root, "/services/", s.name, "/main.cc"));
    if (main.empty()) continue;
    ++present;
    // The gateway keeps its listen default with its other settings.
    main += ReadFile(
        absl::StrCat(root, "/services/", s.name, "/", s.name, "_config.h"));
    EXPECT_NE(main.find(absl::StrCat(":", s.port, "\"")), std::string::npos)
        << "services/" << s.name << " does not default to port " << s.port;
  }
  EXPECT_GE(present, 2);  // identity and accounts at least
  // The image builds every one of them.
  const std::string dockerfile = ReadFile(root + "/deploy/docker/Dockerfile");
  EXPECT_NE(dockerfile.find("/src/services/*/main.cc"), std::string::npos);
  EXPECT_NE(dockerfile.find("USER 10001"), std::string::npos);
}

}  // namespace
}  // namespace crm::testing

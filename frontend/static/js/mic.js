// "Use my microphone": the rep's microphone (getUserMedia) and a customer source (an audio file
// decoded in the browser, or a second input device) → an AudioWorklet that interleaves both as
// 16-bit PCM → 100 ms binary frames over the audio websocket (`start`, frames, `stop`).
import { wsUrl } from "./common.js";

const RATES = [16000, 48000];

function audioContext() {
  for (const sampleRate of RATES) {
    try {
      return new AudioContext({ sampleRate, latencyHint: "interactive" });
    } catch {
      /* this rate is not supported here: try the next */
    }
  }
  throw new Error("no supported audio sample rate (16 or 48 kHz)");
}

function waitFor(ws, type) {
  return new Promise((resolve, reject) => {
    const onMessage = (msg) => {
      if (typeof msg.data !== "string") return;
      const data = JSON.parse(msg.data);
      if (data.type === type) {
        ws.removeEventListener("message", onMessage);
        resolve(data);
      } else if (data.type === "error") {
        ws.removeEventListener("message", onMessage);
        reject(new Error(data.message));
      }
    };
    ws.addEventListener("message", onMessage);
    ws.addEventListener("close", (e) => reject(new Error(e.reason || `closed (${e.code})`)), { once: true });
  });
}

/**
 * Start a live call from this browser. Returns {callId, stop()}.
 * `customerFile`: a File to play as the customer; or `customerDeviceId`: a second microphone.
 */
export async function startMic({ language, customerFile, customerDeviceId, repName, onEnd }) {
  const ctx = audioContext();
  await ctx.audioWorklet.addModule("/static/js/pcm-worklet.js");
  const repStream = await navigator.mediaDevices.getUserMedia({
    audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true },
  });
  const streams = [repStream];
  let customer;
  let fileSource = null;
  if (customerFile) {
    const buffer = await ctx.decodeAudioData(await customerFile.arrayBuffer());
    fileSource = ctx.createBufferSource();
    fileSource.buffer = buffer;
    fileSource.connect(ctx.destination); // the rep hears the customer
    customer = fileSource;
  } else if (customerDeviceId) {
    const s = await navigator.mediaDevices.getUserMedia({ audio: { deviceId: { exact: customerDeviceId }, channelCount: 1 } });
    streams.push(s);
    customer = ctx.createMediaStreamSource(s);
  } else {
    streams.forEach((s) => s.getTracks().forEach((tr) => tr.stop()));
    await ctx.close();
    throw new Error("choose the customer's audio: a file or an input device");
  }
  const rep = ctx.createMediaStreamSource(repStream);
  const frameSize = ctx.sampleRate / 10; // 100 ms
  const node = new AudioWorkletNode(ctx, "pcm-frames", {
    numberOfInputs: 2,
    numberOfOutputs: 0,
    channelCount: 1,
    channelCountMode: "explicit",
    channelInterpretation: "speakers",
    processorOptions: { frameSize },
  });
  customer.connect(node, 0, 0);
  rep.connect(node, 0, 1);

  const callId = `mic-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const ws = new WebSocket(wsUrl(`/v1/calls/${callId}/audio`));
  ws.binaryType = "arraybuffer";
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error("the audio connection failed"));
  });
  const started = waitFor(ws, "started");
  ws.send(
    JSON.stringify({
      type: "start",
      language,
      sample_rate: ctx.sampleRate,
      encoding: "pcm_s16le",
      title: customerFile ? `${repName} · ${customerFile.name}` : `${repName} · microphone`,
      participants: [
        { id: "customer", role: "customer", name: customerFile ? customerFile.name.replace(/\.[^.]+$/, "").slice(0, 60) : "Customer" },
        { id: "rep", role: "rep", name: repName },
      ],
    }),
  );
  await started;
  let ended = false;
  const release = async () => {
    node.port.onmessage = null;
    streams.forEach((s) => s.getTracks().forEach((tr) => tr.stop()));
    if (ctx.state !== "closed") await ctx.close();
  };
  node.port.onmessage = (e) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(e.data);
  };
  ws.addEventListener("close", (e) => {
    if (!ended) {
      ended = true;
      release();
      onEnd?.(e.code === 1000 ? "" : e.reason || `closed (${e.code})`);
    }
  });
  fileSource?.start();

  return {
    callId,
    async stop() {
      if (ended) return;
      ended = true;
      node.port.postMessage("stop");
      await new Promise((r) => setTimeout(r, 150)); // the last partial frame
      const stopped = waitFor(ws, "stopped");
      ws.send(JSON.stringify({ type: "stop" }));
      try {
        await stopped;
      } finally {
        await release();
        onEnd?.("");
      }
    },
  };
}

// Copies the UI suite's best screenshots (test/e2e/artifacts/ui/, written by `npm run test:e2e`)
// into docs/images/ for the README, each under MAX_BYTES. Chromium's PNGs of a 1600×1000 workbench
// are ~500 KB and scaling them down blurs the text, so a screenshot that is too big keeps its full
// resolution and is reduced to a 256-colour palette instead (what pngquant does; there is no
// ImageMagick on these machines). UI screenshots are flat colours plus anti-aliased text: the
// palette version looks the same and is about a third of the size.
// Not a test: run it by hand after an e2e run whose screenshots you have looked at:
//   node --import tsx test/e2e/ui/docs-images.ts
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import { repoRoot } from '../harness/codeServer';

const MAX_BYTES = 400 * 1024;
const source = join(repoRoot, 'test', 'e2e', 'artifacts', 'ui');
const target = join(repoRoot, 'docs', 'images');

/** artifact name → docs image name (docs/screenshots.md refers to these). */
const CHOSEN: Record<string, string> = {
  'trace-nodeport-30080': 'trace-nodeport.png',
  'trace-nodeport-30080-dnat': 'trace-nodeport-dnat.png',
  'hover-kube-svc-endpoints-closeup': 'hover-service-endpoints.png',
};

const PNG_SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

interface RgbImage {
  width: number;
  height: number;
  /** 3 bytes per pixel, row after row */
  rgb: Buffer;
}

/** Decodes an 8-bit RGB or RGBA, non-interlaced PNG (what chromium writes); alpha is dropped. */
function decodePng(png: Buffer): RgbImage {
  if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG');
  let header: Buffer | undefined;
  const data: Buffer[] = [];
  for (let offset = 8; offset < png.length;) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') header = body;
    else if (type === 'IDAT') data.push(body);
    offset += 12 + length;
  }
  if (!header) throw new Error('PNG without IHDR');
  const width = header.readUInt32BE(0);
  const height = header.readUInt32BE(4);
  const [depth, colourType, , , interlace] = header.subarray(8);
  if (depth !== 8 || (colourType !== 2 && colourType !== 6) || interlace !== 0) {
    throw new Error(`unsupported PNG (depth ${depth}, colour type ${colourType}, interlace ${interlace})`);
  }
  const channels = colourType === 6 ? 4 : 3;
  const stride = width * channels;
  const filtered = inflateSync(Buffer.concat(data));
  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y += 1) {
    const filter = filtered[y * (stride + 1)];
    const line = filtered.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = pixels.subarray(y * stride, (y + 1) * stride);
    const above = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : Buffer.alloc(stride);
    for (let i = 0; i < stride; i += 1) {
      const left = i >= channels ? row[i - channels] : 0;
      const up = above[i];
      const upLeft = i >= channels ? above[i - channels] : 0;
      row[i] = (line[i] + predict(filter, left, up, upLeft)) & 0xff;
    }
  }
  const rgb = Buffer.alloc(width * height * 3);
  for (let p = 0; p < width * height; p += 1) pixels.copy(rgb, p * 3, p * channels, p * channels + 3);
  return { width, height, rgb };
}

function predict(filter: number, left: number, up: number, upLeft: number): number {
  switch (filter) {
    case 0: return 0;
    case 1: return left;
    case 2: return up;
    case 3: return (left + up) >> 1;
    case 4: {
      const p = left + up - upLeft;
      const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
      return pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
    }
    default: throw new Error(`bad PNG filter ${filter}`);
  }
}

/**
 * A 256-colour palette PNG of `image`: the palette is the average colour of the 256 most used
 * 15-bit colour buckets; every pixel takes its nearest palette colour (no dithering: text stays crisp).
 */
function encodePalettePng({ width, height, rgb }: RgbImage): Buffer {
  const pixelCount = width * height;
  const buckets = new Map<number, [count: number, r: number, g: number, b: number]>();
  for (let p = 0; p < pixelCount; p += 1) {
    const [r, g, b] = [rgb[p * 3], rgb[p * 3 + 1], rgb[p * 3 + 2]];
    const key = ((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3);
    const bucket = buckets.get(key) ?? [0, 0, 0, 0];
    bucket[0] += 1; bucket[1] += r; bucket[2] += g; bucket[3] += b;
    buckets.set(key, bucket);
  }
  const palette = [...buckets.values()]
    .sort((a, b) => b[0] - a[0])
    .slice(0, 256)
    .map(([count, r, g, b]) => [Math.round(r / count), Math.round(g / count), Math.round(b / count)]);
  const nearest = new Map<number, number>();
  const indexed = Buffer.alloc(height * (width + 1)); // each row: filter byte 0, then indexes
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const p = (y * width + x) * 3;
      const [r, g, b] = [rgb[p], rgb[p + 1], rgb[p + 2]];
      const colour = (r << 16) | (g << 8) | b;
      let index = nearest.get(colour);
      if (index === undefined) {
        let best = Infinity;
        palette.forEach(([pr, pg, pb], i) => {
          // Weighted like the eye: green differences matter most, blue least.
          const distance = 2 * (pr - r) ** 2 + 4 * (pg - g) ** 2 + (pb - b) ** 2;
          if (distance < best) { best = distance; index = i; }
        });
        nearest.set(colour, index!);
      }
      indexed[y * (width + 1) + 1 + x] = index!;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 3; // indexed colour
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', header),
    pngChunk('PLTE', Buffer.from(palette.flat())),
    pngChunk('IDAT', deflateSync(indexed, { level: 9, memLevel: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function pngChunk(type: string, body: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), body]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function main(): void {
  mkdirSync(target, { recursive: true });
  for (const [name, output] of Object.entries(CHOSEN)) {
    const input = join(source, `${name}.png`);
    if (!existsSync(input)) throw new Error(`${input} not found: run \`npm run test:e2e\` first`);
    const original = readFileSync(input);
    const image = decodePng(original);
    const written = original.length <= MAX_BYTES ? original : encodePalettePng(image);
    if (written.length > MAX_BYTES) throw new Error(`${output}: ${written.length} bytes even with a palette`);
    writeFileSync(join(target, output), written);
    const how = written === original ? 'copied' : `palette (was ${Math.round(original.length / 1024)} KB)`;
    console.log(`docs/images/${output}: ${image.width}×${image.height}, ${Math.round(written.length / 1024)} KB, ${how}`);
  }
}

main();

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The dashboard is self-hosted: no image optimiser, no remote fonts, nothing fetched at build.
  images: { unoptimized: true },
  // The Redis client is loaded from node_modules at run time rather than bundled into the server.
  serverExternalPackages: ['@redis/client'],
  // Pulseboard's request gate sets these (and a Content-Security-Policy with a per-response
  // nonce) on every response; set here too, they also cover the few answers Next.js gives in the
  // moments before the gate is installed.
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'no-referrer' },
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
          { key: 'Cross-Origin-Resource-Policy', value: 'same-origin' },
        ],
      },
    ];
  },
};

export default nextConfig;

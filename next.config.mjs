/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The dashboard is self-hosted: no image optimiser, no remote fonts, nothing fetched at build.
  images: { unoptimized: true },
  // The Redis client is loaded from node_modules at run time rather than bundled into the server.
  serverExternalPackages: ['@redis/client'],
};

export default nextConfig;

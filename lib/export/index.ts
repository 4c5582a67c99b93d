export { historyCsvStream, csvField, CSV_HEADER } from './csv';

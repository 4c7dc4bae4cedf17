// koa@2 installed under the alias "koa2" for the tests: same API as koa@3 for everything the adapter uses.
declare module 'koa2' {
  import Koa from 'koa';
  export default Koa;
}

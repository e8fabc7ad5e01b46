export * from './shop.types.js';
export {
  createPointOfSale,
  createSalesChannel,
  findShop,
  getPointOfSale,
  listPointsOfSale,
  listSalesChannels,
  pointsOfSaleForContactKind,
  shopOf,
  shopPath,
  updatePointOfSale,
} from './shop.service.js';

"""TradeKitt API: Chalice routes over one DynamoDB table."""
